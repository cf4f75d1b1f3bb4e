"""Exact resume on CPU: 2 epochs in one go == 1 epoch, then resume for 1 more.

For every method the epoch-2 losses are the same floats and the final
checkpoints hold bit-identical tensors: weights, EMA targets, SCP bank and
RSPNet queue (with ring pointer and valid mask), optimizer momentum buffers.
This needs ``RNGStateHook`` (the synthetic runtime's custom hooks): the
views' random sampling and augmentation run in the main process with
``num_workers=0``, and resume would otherwise continue from the seed.
"""
import itertools
import json
import os.path as osp

import pytest
import torch
from mmengine import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

# Trains and resumes several runs.
pytestmark = pytest.mark.slow

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
_names = itertools.count()


@pytest.fixture(scope='module')
def data(tiny_synthetic):
    return tiny_synthetic


class LossRecorder(Hook):
    """Keeps ``(epoch, iter in epoch, {loss name: float})`` of every step."""

    def __init__(self):
        self.steps = []

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        self.steps.append((runner.epoch, batch_idx, {
            k: float(v.detach())
            for k, v in outputs.items()
        }))


class StopAfter(Hook):
    """Ends training after ``epochs`` epochs (their checkpoint is saved), as
    if the job were killed there; the schedules still span max_epochs."""

    priority = 'LOWEST'

    def __init__(self, epochs):
        self.epochs = epochs

    def after_train_epoch(self, runner):
        if runner.epoch + 1 >= self.epochs:
            runner.train_loop.stop_training = True


def train(method,
          data,
          work,
          epochs=2,
          workers=0,
          resume=False,
          rng_hook=True,
          stop_after=None):
    cfg = Config.fromfile(
        osp.join(ROOT, f'configs/{method}/{method}_r18-w16_synthetic.py'))
    cfg.work_dir = work
    cfg.experiment_name = f'resume_{next(_names)}'  # one MessageHub per run
    loader = cfg.train_dataloader
    loader.dataset.ann_file = f'{data}/pretrain.txt'
    loader.dataset.data_prefix.video = f'{data}/videos'
    loader.batch_size, loader.num_workers = 4, workers
    loader.persistent_workers = False
    cfg.train_cfg.max_epochs = epochs
    cfg.default_hooks.checkpoint.interval = 1
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    if method == 'rspnet':
        cfg.model.queue_size = 8
    if not rng_hook:
        cfg.custom_hooks = [
            h for h in cfg.custom_hooks if h['type'] != 'RNGStateHook'
        ]
    cfg.resume = resume
    runner = Runner.from_cfg(cfg)
    recorder = LossRecorder()
    runner.register_hook(recorder)
    if stop_after:
        runner.register_hook(StopAfter(stop_after))
    runner.train()
    return recorder.steps, runner


def logged_losses(runner, epoch):
    """The loss entries LoggerHook wrote to scalars.json for ``epoch``."""
    path = osp.join(runner.log_dir, 'vis_data', 'scalars.json')
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    return [{
        k: v
        for k, v in row.items() if k.startswith('loss')
    } for row in rows if row.get('epoch') == epoch and 'loss' in row]


def assert_same_checkpoint(path_a, path_b):
    a = torch.load(path_a, weights_only=True)
    b = torch.load(path_b, weights_only=True)
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    for (ka, va), (kb, vb) in zip(a['optimizer']['state'].items(),
                                  b['optimizer']['state'].items()):
        assert ka == kb
        for name in va:
            assert torch.equal(va[name], vb[name]), (ka, name)
    return a['state_dict']


@pytest.mark.parametrize('method,workers', [('ascnet', 0), ('rspnet', 0),
                                            ('cvrl', 0), ('ascnet', 1)])
def test_resume_is_exact(data, tmp_path, method, workers):
    full, full_runner = train(
        method, data, str(tmp_path / 'full'), workers=workers)
    first, _ = train(
        method, data, str(tmp_path / 'split'), workers=workers, stop_after=1)
    second, runner = train(
        method, data, str(tmp_path / 'split'), workers=workers, resume=True)

    assert [s[0] for s in second] == [1] * len(second)
    assert first == [s for s in full if s[0] == 0]
    assert second == [s for s in full if s[0] == 1]
    full_log = logged_losses(full_runner, 2)
    assert full_log and full_log == logged_losses(runner, 2)
    state = assert_same_checkpoint(
        str(tmp_path / 'full' / 'epoch_2.pth'),
        str(tmp_path / 'split' / 'epoch_2.pth'))
    buffers = {
        'ascnet': ('bank.ptr', 'bank.valid', 'bank.app',
                   'target.module.backbone.conv1.conv.weight'),
        'rspnet': ('queue.ptr', 'queue.valid', 'queue.key',
                   'target.module.backbone.conv1.conv.weight'),
        'cvrl': ()
    }[method]
    for key in buffers:
        assert key in state, key


def test_resume_without_rng_state_diverges(data, tmp_path):
    """Control: without RNGStateHook the resumed epoch draws other views."""
    full, _ = train('cvrl', data, str(tmp_path / 'full'), rng_hook=False)
    train('cvrl', data, str(tmp_path / 'split'), rng_hook=False, stop_after=1)
    second, _ = train(
        'cvrl', data, str(tmp_path / 'split'), resume=True, rng_hook=False)
    assert second != [s for s in full if s[0] == 1]
