"""`tools/dist_train.sh CONFIG 2 --cfg-options env_cfg.dist_cfg.backend=gloo`
trains on CPU, saves every rank's random state and resumes exactly."""
import json
import os
import os.path as osp

import pytest
import torch
from helpers import dist_train as run_dist_train

from ascnet_mm.synthetic import generate

# Starts two training processes.
pytestmark = pytest.mark.slow


def dist_train(data, work, *args):
    # constant EMA momentum: the target does not depend on max_epochs
    return run_dist_train(
        'configs/ascnet/ascnet_r18-w16_synthetic.py',
        2,
        work,
        *args,
        options=[
            f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
            f'train_dataloader.dataset.data_prefix.video={data}/videos',
            'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
            'train_cfg.max_epochs=2', 'default_hooks.logger.interval=1',
            'default_hooks.checkpoint.interval=1',
            'default_hooks.checkpoint.max_keep_ckpts=2', 'model.bank_size=16',
            'model.end_momentum=0.01'
        ])


def epoch_losses(work, epoch):
    (run, ) = [d for d in os.listdir(work) if osp.isdir(osp.join(work, d))]
    with open(osp.join(work, run, 'vis_data', 'scalars.json')) as f:
        rows = [json.loads(line) for line in f]
    return [{
        k: v
        for k, v in r.items() if k.startswith('loss')
    } for r in rows if r.get('epoch') == epoch and 'loss' in r]


def test_dist_train_on_cpu_and_exact_resume(tmp_path):
    data = str(tmp_path / 'synthetic')
    generate(data, 12, seed=0, size=32, workers=1)
    full = str(tmp_path / 'full')
    log = dist_train(data, full)
    assert 'Epoch(train) [2]' in log and 'loss_scp' in log
    assert 'skipped 0 unreadable videos this epoch' in log
    ckpt = torch.load(osp.join(full, 'epoch_1.pth'), weights_only=True)
    assert len(ckpt['rng_state']) == 2  # one per rank

    resumed = str(tmp_path / 'resumed')
    log = dist_train(data, resumed, '--resume', osp.join(full, 'epoch_1.pth'))
    assert 'RNGStateHook: restored the random states' in log
    assert 'Epoch(train) [1]' not in log
    assert epoch_losses(full, 2) and \
        epoch_losses(full, 2) == epoch_losses(resumed, 2)
    a = torch.load(osp.join(full, 'epoch_2.pth'), weights_only=True)
    b = torch.load(osp.join(resumed, 'epoch_2.pth'), weights_only=True)
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
