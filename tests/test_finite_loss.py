"""NaN does not go on: FiniteLossHook (in every config's runtime) stops at
the first non-finite loss or gradient norm, or skips such optimizer steps a
few times; the checkpoint hook refuses non-finite weights. Every checkpoint
left behind is finite."""
import itertools
import os
import os.path as osp

import pytest
import torch
import torch.nn as nn
from helpers import (derived_config, run_dist_train, synthetic_options,
                     train_tool)
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import OptimWrapper

from ascnet_mm.engine.hooks import FiniteLossHook, NonFiniteLossError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
NAN, INF = float('nan'), float('inf')
_names = itertools.count()


class StubRunner:
    """What the hook reads of a Runner: message hub, logger, position."""

    def __init__(self, optim_wrapper=None):
        name = f'finite_loss_{next(_names)}'
        self.message_hub = MessageHub.get_instance(name)
        self.logger = MMLogger.get_instance(name)
        self.iter, self.epoch = 4, 1
        self.optim_wrapper = optim_wrapper

    def log(self, **values):
        """What RuntimeInfoHook does before our hook runs."""
        for key, value in values.items():
            self.message_hub.update_scalar(f'train/{key}', value)
        return {k: torch.tensor(v) for k, v in values.items()}


def test_stop_names_iteration_losses_and_last_checkpoint(tmp_path):
    hook, runner = FiniteLossHook(), StubRunner()
    hook.after_train_iter(runner, 0, outputs=runner.log(loss=1.0, loss_a=1.0))
    outputs = runner.log(loss=NAN, loss_a=NAN, loss_b=0.5, partner_rate=NAN)
    with pytest.raises(NonFiniteLossError) as err:
        hook.after_train_iter(runner, 0, outputs=outputs)
    message = str(err.value)
    assert message.startswith('non-finite loss: loss = nan, loss_a = nan at '
                              'iteration 5 (epoch 2).')
    assert 'partner_rate' not in message and 'loss_b' not in message
    assert 'No checkpoint had been saved yet.' in message
    assert 'optim_wrapper.optimizer.lr' in message and '--resume' in message
    assert "mode='skip'" in message

    good = str(tmp_path / 'epoch_1.pth')
    torch.save({'state_dict': {}}, good)
    runner.message_hub.update_info('last_ckpt', good)
    with pytest.raises(NonFiniteLossError, match=f'checkpoint, {good}, is '):
        hook.after_train_iter(runner, 0, outputs=runner.log(loss=-INF))


def test_stop_at_a_non_finite_gradient_norm():
    hook, runner = FiniteLossHook(), StubRunner()
    runner.log(grad_norm=INF)
    with pytest.raises(NonFiniteLossError, match='grad_norm = inf'):
        hook.after_train_iter(runner, 0, outputs=runner.log(loss=1.0))


def test_mode_is_checked():
    with pytest.raises(ValueError, match="'stop' or 'skip'"):
        FiniteLossHook(mode='ignore')


def state(model, wrapper):
    return ([p.detach().clone() for p in model.parameters()], {
        k: v['momentum_buffer'].clone()
        for k, v in wrapper.optimizer.state.items()
    })


def assert_same(a, b):
    for x, y in zip(a[0], b[0]):
        assert torch.equal(x, y)
    assert a[1].keys() == b[1].keys()
    for key in a[1]:
        assert torch.equal(a[1][key], b[1][key])


def test_skip_leaves_weights_and_momentum_then_stops():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    wrapper = OptimWrapper(
        torch.optim.SGD(
            model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4))
    runner = StubRunner(wrapper)
    hook = FiniteLossHook(mode='skip', max_skips=2)
    hook.before_train(runner)
    x = torch.randn(4, 3)

    wrapper.update_params(model(x).pow(2).mean())  # a normal step
    before = state(model, wrapper)
    wrapper.update_params(model(x).mean() * NAN)  # non-finite loss
    assert_same(before, state(model, wrapper))
    assert runner.message_hub.get_info('non_finite_skipped_steps') == 1

    handle = model.weight.register_hook(lambda g: g * INF)
    wrapper.update_params(model(x).pow(2).mean())  # finite loss, inf grad
    handle.remove()
    assert_same(before, state(model, wrapper))
    assert runner.message_hub.get_info('non_finite_skipped_steps') == 2
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())

    wrapper.update_params(model(x).pow(2).mean())  # finite again: a step
    assert not torch.equal(before[0][0], model.weight)
    with pytest.raises(
            NonFiniteLossError,
            match='loss = nan.* after 2 skipped steps at '
            'iteration 5'):
        wrapper.update_params(model(x).mean() * NAN)
    hook.after_train(runner)
    assert 'step' not in vars(wrapper)
    assert 'update_params' not in vars(wrapper)


# ------------------------------------------------------------ real training
def ramp_config(tmp_path, method):
    """lr 0.1 in epoch 1, 1e20 from epoch 2 on."""
    return derived_config(
        tmp_path / f'{method}_ramp.py',
        f'configs/{method}/{method}_r18-w16_synthetic.py',
        'optim_wrapper = dict(optimizer=dict(lr=1e20))\n'
        "param_scheduler = [dict(type='LinearLR', start_factor=1e-21, "
        'by_epoch=True, begin=0, end=2)]\n')


def assert_checkpoints_finite(work):
    """Every checkpoint left loads and holds finite tensors only."""
    names = [f for f in os.listdir(work) if f.endswith('.pth')]
    for name in names:
        ckpt = torch.load(osp.join(work, name), weights_only=True)
        for key, value in ckpt['state_dict'].items():
            if value.is_floating_point():
                assert torch.isfinite(value).all(), (name, key)
    return sorted(names)


@pytest.mark.slow
@pytest.mark.parametrize('method,losses', [('ascnet', 'loss_acp = nan'),
                                           ('rspnet', 'loss_avid = nan')])
def test_exploding_learning_rate_stops_and_keeps_the_last_checkpoint(
        tiny_synthetic, tmp_path, method, losses):
    work = str(tmp_path / 'work')
    code, log = train_tool(
        ramp_config(tmp_path, method),
        work,
        options=synthetic_options(tiny_synthetic, 3))
    assert code != 0
    assert 'NonFiniteLossError: non-finite loss: loss = nan' in log
    assert losses in log and 'at iteration 4 (epoch 2)' in log
    assert f'The last good checkpoint, {work}/epoch_1.pth, is kept' in log
    assert assert_checkpoints_finite(work) == ['epoch_1.pth']


@pytest.mark.slow
def test_non_finite_weights_are_never_saved(tiny_synthetic, tmp_path):
    """At lr 1e6 ASCNet's losses stay finite (they are normalised) but BN
    running variances overflow: the checkpoint hook refuses to save them."""
    work = str(tmp_path / 'work')
    code, log = train_tool(
        osp.join(ROOT, 'configs/ascnet/ascnet_r18-w16_synthetic.py'),
        work,
        options=synthetic_options(tiny_synthetic, 3) +
        ['optim_wrapper.optimizer.lr=1e6'])
    assert code != 0
    assert 'NonFiniteCheckpointError: refusing to save epoch_' in log
    assert 'bn.running_var' in log
    kept = assert_checkpoints_finite(work)
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert osp.basename(f.read()) == kept[-1]
    assert f'The last good checkpoint, {work}/{kept[-1]}, is kept' in log


@pytest.mark.slow
def test_skip_mode_skips_then_stops(tiny_synthetic, tmp_path):
    config = derived_config(
        tmp_path / 'skip.py', 'configs/ascnet/ascnet_r18-w16_synthetic.py',
        'custom_hooks = [dict(h, mode="skip", max_skips=2) if h["type"] == '
        '"FiniteLossHook" else h for h in _base_.custom_hooks]\n')
    work = str(tmp_path / 'work')
    code, log = train_tool(
        config,
        work,
        options=synthetic_options(tiny_synthetic, 3) + [
            'optim_wrapper.optimizer.lr=1e20',
            'default_hooks.checkpoint.interval=100'
        ])
    assert code != 0
    assert 'skipped the optimizer step of iteration 2' in log
    assert '(2 of at most 2 skips)' in log
    assert 'after 2 skipped steps at iteration 4' in log
    assert assert_checkpoints_finite(work) == []


@pytest.mark.slow
def test_every_process_stops_at_the_same_iteration(tiny_synthetic, tmp_path):
    """Two gloo processes: the losses are per process, the decision is
    all-reduced, both raise at the same iteration."""
    work = str(tmp_path / 'work')
    code, log = run_dist_train(
        ramp_config(tmp_path, 'ascnet'),
        2,
        work,
        options=synthetic_options(tiny_synthetic, 3, batch_size=2))
    assert code != 0
    errors = {
        line.split(':')[0]: line
        for line in log.splitlines()
        if 'NonFiniteLossError: non-finite loss: ' in line
    }
    assert sorted(errors) == ['[rank0]', '[rank1]'], log[-4000:]
    assert all('(rank 0)' in e and 'at iteration 4 (epoch 2)' in e
               for e in errors.values())
    assert assert_checkpoints_finite(work) == ['epoch_1.pth']
