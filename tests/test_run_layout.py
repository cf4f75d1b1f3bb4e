"""Resuming with another number of processes: RunLayoutHook records the
run's layout in every checkpoint and refuses a resume that changes the
global batch or the iterations per epoch (which would stretch or cut the
learning-rate and EMA schedules), saying how to continue; the same global
batch on another number of processes continues."""
import itertools
import os.path as osp

import pytest
import torch
from helpers import run_dist_train, synthetic_options, train_tool
from mmengine.logging import MMLogger
from torch.utils.data import DataLoader

from ascnet_mm.engine.hooks import RunLayoutError, RunLayoutHook
from ascnet_mm.engine.hooks.run_layout_hook import _how_to_continue

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
_names = itertools.count()


def layout(world, batch, iters, size=8):
    return dict(
        world_size=world,
        batch_size=batch,
        global_batch_size=world * batch,
        iters_per_epoch=iters,
        dataset_size=size)


class StubRunner:
    """One process training on ``size`` samples, resumed at ``it``."""

    def __init__(self, batch, size=8, it=2):
        self.train_dataloader = DataLoader(list(range(size)), batch)
        self.iter = it
        self.logger = MMLogger.get_instance(f'layout_{next(_names)}')


def resume(runner, old, it=2):
    hook = RunLayoutHook()
    hook.after_load_checkpoint(
        runner, dict(meta=dict(run_layout=old, iter=it, epoch=1)))
    hook.before_train(runner)


def test_layout_is_saved_with_the_checkpoint():
    checkpoint = dict(meta=dict(epoch=1))
    RunLayoutHook().before_save_checkpoint(StubRunner(4), checkpoint)
    assert checkpoint['meta']['run_layout'] == layout(1, 4, 2)


def test_resume_with_another_global_batch_is_refused():
    # 2 processes x 2 wrote it; this process has batch 2: global 2, not 4
    with pytest.raises(RunLayoutError) as err:
        resume(StubRunner(2), layout(2, 2, 2))
    message = str(err.value)
    assert message.startswith('cannot resume epoch 1 (iteration 2): the '
                              'checkpoint was written by 2 process(es) x 2 = '
                              'global batch 4, 2 iterations per epoch (8 '
                              'samples); this run has 1 process(es) x 2 = '
                              'global batch 2, 4 iterations per epoch')
    assert ('with 1 process(es) pass --cfg-options '
            'train_dataloader.batch_size=4') in message
    assert 'load_from=CHECKPOINT without --resume' in message


def test_resume_with_the_same_global_batch_continues():
    resume(StubRunner(4), layout(2, 2, 2))  # logs, does not raise
    resume(StubRunner(4), layout(1, 4, 2))
    resume(StubRunner(2, it=0), layout(2, 2, 2), it=0)  # a new run
    resume(StubRunner(2), None)  # an older checkpoint: a warning only


def test_resume_on_a_changed_dataset_is_refused():
    with pytest.raises(RunLayoutError, match='The dataset changed'):
        resume(StubRunner(4, size=12), layout(1, 4, 2, size=8))


def test_how_to_continue_when_processes_cannot_share_the_batch():
    text = _how_to_continue(layout(1, 4, 2), layout(3, 4, 1))
    assert 'which 3 processes cannot share evenly: use 1, 2, 4 processes' \
        in text


# --------------------------------------------- tools/dist_train.sh, gloo
@pytest.fixture(scope='module')
def data(tiny_synthetic):
    return tiny_synthetic


def options(data, batch_size):
    return synthetic_options(data, 2, batch_size) + [
        'default_hooks.checkpoint.max_keep_ckpts=2', 'model.bank_size=16'
    ]


def train_one(data, work, batch_size, *args):
    """One process (tools/train.py)."""
    return train_tool(
        osp.join(ROOT, ASCNET), work, *args, options=options(data, batch_size))


def train_two(data, work, batch_size, *args):
    """Two gloo processes (tools/dist_train.sh)."""
    return run_dist_train(
        ASCNET, 2, work, *args, options=options(data, batch_size))


@pytest.fixture(scope='module')
def one_process(data, tmp_path_factory):
    """2 epochs of 1 process x 4 (global batch 4)."""
    work = str(tmp_path_factory.mktemp('one_process'))
    code, log = train_one(data, work, 4)
    assert code == 0, log[-3000:]
    return work


@pytest.mark.slow
def test_one_to_two_processes_is_refused(data, one_process, tmp_path):
    code, log = train_two(data, str(tmp_path), 4, '--resume',
                          osp.join(one_process, 'epoch_1.pth'))
    assert code != 0
    assert 'RunLayoutError: cannot resume epoch 1' in log
    assert 'train_dataloader.batch_size=2' in log
    assert 'Epoch(train) [2]' not in log


@pytest.mark.slow
def test_two_processes_with_half_the_batch_continue(data, one_process,
                                                    tmp_path):
    work = str(tmp_path)
    code, log = train_two(data, work, 2, '--resume',
                          osp.join(one_process, 'epoch_1.pth'))
    assert code == 0, log[-3000:]
    assert 'the same global batch, so the schedules continue' in log
    assert 'Epoch(train) [2][2/2]' in log
    a = torch.load(osp.join(one_process, 'epoch_2.pth'), weights_only=True)
    b = torch.load(osp.join(work, 'epoch_2.pth'), weights_only=True)
    # the learning-rate schedule and the iteration count continued exactly
    assert a['param_schedulers'] == b['param_schedulers']
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    assert b['meta']['run_layout'] == layout(2, 2, 2, size=10)
    # the EMA target moved on in epoch 2, one update per iteration
    first = torch.load(osp.join(one_process, 'epoch_1.pth'), weights_only=True)
    key = 'target.module.backbone.conv1.conv.weight'
    assert not torch.equal(first['state_dict'][key], b['state_dict'][key])
    assert int(b['state_dict']['target.steps']) == 4


@pytest.mark.slow
def test_two_to_one_process_is_refused(data, tmp_path):
    two = str(tmp_path / 'two')
    code, log = train_two(data, two, 2)
    assert code == 0, log[-3000:]
    code, log = train_one(data, str(tmp_path / 'one'), 2, '--resume',
                          osp.join(two, 'epoch_1.pth'))
    assert code != 0
    assert ('the checkpoint was written by 2 process(es) x 2 = global batch '
            '4') in log
    assert 'train_dataloader.batch_size=4' in log
