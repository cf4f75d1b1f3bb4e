"""Helpers shared by the tests: tiny real H.264 videos, loading tool scripts,
`tools/dist_train.sh` on CPU."""
import importlib.util
import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from mmengine import Config

from ascnet_mm.video_io import encode_h264


def write_video(path, frames, fps=25, gop=None, **kwargs):
    """Write ``frames`` (T, H, W, 3) uint8 RGB to ``path`` as H.264 (yuv420p).

    ``gop``: keyframe interval (None: the encoder's default); ``kwargs``: see
    :func:`~ascnet_mm.video_io.encode_h264`.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return encode_h264(path, frames, fps=fps, gop=gop, **kwargs)


def torchcodec_usable():
    """'' if torchcodec and FFmpeg's libraries load, else why not."""
    from ascnet_mm.video_io.readers import import_video_decoder
    try:
        import_video_decoder()
    except ImportError as e:
        return str(e)
    return ''


def torchcodec_mark():
    """A ``skipif`` mark for tests that need torchcodec, with the reason.

    Called by the test modules that use it: importing torchcodec imports
    torch, which the spawned workers of the data tools, which import this
    module, must not (tests/test_light_imports.py).
    """
    why = torchcodec_usable()
    return pytest.mark.skipif(bool(why), reason=why)


def _fault(path):
    """Never return for a video named ``hang*`` (as decord can on a
    container that over-reports its frames); kill the process for one named
    ``crash*`` (exit code 134, as an abort)."""
    name = os.path.basename(str(path))
    if name.startswith('hang'):
        time.sleep(3600)
    if name.startswith('crash'):
        os._exit(134)


def faulty_check(path):
    """``check_video`` with :func:`_fault`'s hang and crash."""
    from ascnet_mm.video_io import check_video
    _fault(path)
    return check_video(path)


def faulty_prepare(task, decoder='decord'):
    """``prepare_one`` with :func:`_fault`'s hang and crash, after it has
    written part of the output."""
    from ascnet_mm.video_io.prepare import PART_SUFFIX, prepare_one
    if os.path.basename(task[0]).startswith(('hang', 'crash')):
        Path(task[2] + PART_SUFFIX).parent.mkdir(parents=True, exist_ok=True)
        Path(task[2] + PART_SUFFIX).write_bytes(b'partial')
    _fault(task[0])
    return prepare_one(task, decoder=decoder)


def ramp_video(num_frames, size=32, seed=0):
    """(T, H, W, 3) frames whose mean brightness grows with the frame index.

    Frame ``i`` is roughly uniform grey ``8 * i`` (mod 256) plus mild noise, so
    a
    decoded frame's index can be read back from its mean.
    """
    rng = np.random.default_rng(seed)
    base = (np.arange(num_frames) * 8 % 256).astype(np.float32)
    frames = base[:, None, None, None] + rng.normal(
        0, 1, (num_frames, size, size, 3))
    return np.clip(frames, 0, 255).astype(np.uint8)


def build_model(config, **overrides):
    """The model of ``config`` with a width-8 backbone (64 channels out) and
    ``overrides`` of its keys, initialised with seed 0, in train mode."""
    import torch
    from mmaction.registry import MODELS
    from mmengine import Config
    cfg = Config.fromfile(config)
    cfg.model.backbone.base_channels = 8
    for key in ('app_projector', 'speed_projector', 'app_head', 'speed_head',
                'projector'):
        if cfg.model.get(key):
            cfg.model[key].in_channels = 64
    for key, value in overrides.items():
        cfg.model[key] = value
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.train()


def build_uninitialised(model_cfg):
    """``MODELS.build(model_cfg)`` on the meta device, then given CPU memory
    that is never initialised: a full-size model's structure (modules,
    parameter names, shapes, BN layers) without the cost of initialising
    its weights, for tests that do not read the values."""
    import torch
    from mmaction.registry import MODELS
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    return model.to_empty(device='cpu')


TOOLS = Path(__file__).resolve().parents[1] / 'tools'
_names = itertools.count()


def load_tool(name):
    """Import the script ``tools/<name>.py`` (e.g. ``'data/prepare_videos'``)
    as a module, so a test can call its ``main``."""
    path = TOOLS / f'{name}.py'
    spec = importlib.util.spec_from_file_location(
        '_tool_' + name.replace('/', '_'), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_command(cmd, env=(), timeout=300):
    """Run ``cmd`` from the repo root with OMP_NUM_THREADS=1 and ``env``
    added to the environment; ``(returncode, stdout + stderr)``."""
    proc = subprocess.run(
        cmd,
        cwd=TOOLS.parent,
        env=dict(os.environ, OMP_NUM_THREADS='1', **dict(env)),
        capture_output=True,
        text=True,
        timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def run_python(args, timeout=300):
    """``python ARGS`` (a script and its arguments, or ``-c CODE``) from the
    repo root with one OpenMP thread; the completed process (text output)."""
    return subprocess.run([sys.executable, *args],
                          cwd=TOOLS.parent,
                          capture_output=True,
                          text=True,
                          timeout=timeout,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))


def init_gloo(rank, port, world, timeout_s=60):
    """Join a ``world``-process gloo group on 127.0.0.1:``port``."""
    import datetime

    import torch.distributed as torch_dist
    torch_dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=world,
        timeout=datetime.timedelta(seconds=timeout_s))


def dist_train(config, nproc, work, *args, options=(), timeout=300):
    """Run ``tools/dist_train.sh CONFIG NPROC --work-dir WORK ARGS`` on CPU
    (gloo, ``--cfg-options`` OPTIONS) from the repo root; its log (stdout and
    stderr). Fails the test unless it exits 0."""
    return dist_tool(
        'dist_train.sh', (config, nproc),
        work,
        *args,
        options=options,
        timeout=timeout)


def run_dist_tool(script, positional, work, *args, options=(), timeout=300):
    """Run ``tools/SCRIPT POSITIONAL --work-dir WORK ARGS`` (a ``dist_*.sh``)
    on CPU (gloo, ``--cfg-options`` OPTIONS) from the repo root;
    ``(returncode, log)``, the log being stdout and stderr."""
    env = dict(PYTHON=sys.executable, PORT=str(free_port()))
    cmd = [
        'bash', f'tools/{script}', *map(str, positional), '--work-dir', work,
        *args, '--cfg-options', 'env_cfg.dist_cfg.backend=gloo', *options
    ]
    for attempt in range(2):
        returncode, log = run_command(cmd, env, timeout)
        # Rarely (2 of 19 runs of test_dist_train.py on 2 cores), a gloo rank
        # aborts with this message and no Python error; the cause is not
        # known yet. Retry that case once, in a clean work dir; any other
        # failure, or the same one twice, fails the test.
        if returncode == 0 or attempt or (
                'terminate called without an active exception' not in log):
            break
        shutil.rmtree(work, ignore_errors=True)
        env['PORT'] = str(free_port())
    return returncode, log


def run_dist_train(config, nproc, work, *args, options=(), timeout=300):
    """``tools/dist_train.sh CONFIG NPROC ...`` by :func:`run_dist_tool`;
    ``(returncode, log)``."""
    return run_dist_tool(
        'dist_train.sh', (config, nproc),
        work,
        *args,
        options=options,
        timeout=timeout)


def dist_tool(script, positional, work, *args, options=(), timeout=300):
    """:func:`run_dist_tool` that fails the test unless it exits 0; the
    log."""
    returncode, log = run_dist_tool(
        script, positional, work, *args, options=options, timeout=timeout)
    assert returncode == 0, log[-4000:]
    return log


def run_tool(tool, config, *args, options=()):
    """Run ``python TOOL CONFIG ARGS [--cfg-options OPTIONS]`` from the repo
    root (one OpenMP thread); its log (stdout and stderr). Fails the test
    unless it exits 0."""
    cmd = [tool, config, *args]
    if options:
        cmd += ['--cfg-options', *options]
    proc = run_python(cmd, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def synthetic_options(data, epochs, batch_size=4):
    """``--cfg-options`` for a pretraining config on a synthetic set made by
    ``ascnet_mm.synthetic.generate`` in ``data``: a checkpoint and a log
    line every epoch / iteration, no data workers."""
    return [
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}/videos',
        f'train_dataloader.batch_size={batch_size}',
        'train_dataloader.num_workers=0', f'train_cfg.max_epochs={epochs}',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=1'
    ]


def derived_config(path, base, body):
    """Write a config at ``path`` that inherits the repo config ``base``
    (repo-relative) and adds ``body``; returns its path as a string."""
    base = (TOOLS.parent / base).as_posix()
    Path(path).write_text(f'_base_ = {base!r}\n{body}')
    return str(path)


def train_tool(config, work, *args, options=(), timeout=300):
    """Run ``tools/train.py CONFIG --work-dir WORK ARGS --cfg-options
    OPTIONS`` from the repo root, ``tests/`` on PYTHONPATH (for test-only
    hooks in ``custom_imports``); ``(returncode, stdout + stderr)``."""
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work]
    cmd += [*args, *(['--cfg-options', *options] if options else [])]
    paths = [str(TOOLS.parent), str(TOOLS.parent / 'tests')]
    paths += [p for p in [os.environ.get('PYTHONPATH')] if p]
    return run_command(cmd, dict(PYTHONPATH=os.pathsep.join(paths)), timeout)


def pretrain_config(config, data, work):
    """The pretraining ``config`` (repo-relative) for one epoch on the
    synthetic set ``data``: batch 4, no workers, a checkpoint at its end."""
    cfg = Config.fromfile(str(TOOLS.parent / config))
    cfg.work_dir = work
    cfg.experiment_name = f'pretrain_{next(_names)}'
    cfg.train_dataloader.dataset.ann_file = f'{data}/pretrain.txt'
    cfg.train_dataloader.dataset.data_prefix.video = f'{data}/videos'
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.num_workers = 0
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.checkpoint.interval = 1
    return cfg


def finetune_config(config, data, work, epochs):
    """The synthetic finetune protocol ``config`` (repo-relative) on the
    synthetic set ``data``: batch 4, no workers, validation and a checkpoint
    (with ``save_best='auto'``) every epoch."""
    cfg = Config.fromfile(str(TOOLS.parent / config))
    cfg.work_dir = work
    cfg.experiment_name = f'finetune_{next(_names)}'
    for key, ann in (('train_dataloader', 'train.txt'), ('val_dataloader',
                                                         'val.txt')):
        cfg[key].dataset.ann_file = f'{data}/{ann}'
        cfg[key].dataset.data_prefix.video = f'{data}/videos'
        cfg[key].num_workers = 0
        cfg[key].batch_size = 4
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = 1
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=1, save_best='auto')
    return cfg


def loaded_modules(names):
    """Which of ``names`` this process has imported (a probe for workers)."""
    return [n for n in names if n in sys.modules]
