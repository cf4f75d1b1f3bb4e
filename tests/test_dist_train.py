"""`tools/dist_train.sh CONFIG 2 --cfg-options env_cfg.dist_cfg.backend=gloo`
trains on CPU, saves every rank's random state and resumes exactly."""
import json
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys

import torch

from ascnet_mm.synthetic import generate

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def dist_train(data, work, *args):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(_free_port()),
               OMP_NUM_THREADS='1')
    # constant EMA momentum: the target does not depend on max_epochs
    cmd = ['bash', 'tools/dist_train.sh',
           'configs/ascnet/ascnet_r18-w16_synthetic.py', '2', '--work-dir',
           work, *args, '--cfg-options',
           'env_cfg.dist_cfg.backend=gloo',
           f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
           f'train_dataloader.dataset.data_prefix.video={data}/videos',
           'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
           'train_cfg.max_epochs=2', 'default_hooks.logger.interval=1',
           'default_hooks.checkpoint.interval=1',
           'default_hooks.checkpoint.max_keep_ckpts=2', 'model.bank_size=16',
           'model.end_momentum=0.01']
    for attempt in range(2):
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        log = proc.stdout + proc.stderr
        # Rarely (2 of 19 runs of this test on 2 cores), a gloo rank aborts
        # with this message and no Python error; the cause is not known yet.
        # Retry that case once, in a clean work dir; any other failure, or
        # the same one twice, fails the test.
        if proc.returncode == 0 or attempt or (
                'terminate called without an active exception' not in log):
            break
        shutil.rmtree(work, ignore_errors=True)
        env['PORT'] = str(_free_port())
    assert proc.returncode == 0, log[-4000:]
    return log


def epoch_losses(work, epoch):
    (run, ) = [d for d in os.listdir(work) if osp.isdir(osp.join(work, d))]
    with open(osp.join(work, run, 'vis_data', 'scalars.json')) as f:
        rows = [json.loads(line) for line in f]
    return [{k: v for k, v in r.items() if k.startswith('loss')}
            for r in rows if r.get('epoch') == epoch and 'loss' in r]


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
    log = dist_train(data, resumed, '--resume',
                     osp.join(full, 'epoch_1.pth'))
    assert 'RNGStateHook: restored the random states' in log
    assert 'Epoch(train) [1]' not in log
    assert epoch_losses(full, 2) and \
        epoch_losses(full, 2) == epoch_losses(resumed, 2)
    a = torch.load(osp.join(full, 'epoch_2.pth'), weights_only=True)
    b = torch.load(osp.join(resumed, 'epoch_2.pth'), weights_only=True)
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
