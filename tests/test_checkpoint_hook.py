"""Checkpoints a kill cannot lose: ascnet_mm's CheckpointHook (the one every
config gets) writes atomically, deletes old checkpoints only after the new
one is complete, and ``--resume`` skips unreadable checkpoints."""
import errno
import os
import os.path as osp
import signal
from collections import deque
from types import SimpleNamespace

import pytest
import torch
from helpers import (derived_config, finetune_config, synthetic_options,
                     train_tool)
from mmengine import Config
from mmengine.fileio import get_file_backend
from mmengine.logging import MessageHub
from mmengine.registry import HOOKS, DefaultScope
from mmengine.runner import Runner

import ascnet_mm.engine.checkpoint_io as checkpoint_io
import ascnet_mm.engine.checkpoint_space as checkpoint_space
import ascnet_mm.engine.hooks.checkpoint_hook as checkpoint_hook
from ascnet_mm.engine.checkpoint_io import (NoReadableCheckpointError,
                                            atomic_write,
                                            find_resume_checkpoint,
                                            list_checkpoints,
                                            remove_partial_files,
                                            unreadable_reason)
from ascnet_mm.engine.checkpoint_space import checkpoint_files_at_peak
from ascnet_mm.engine.hooks import CheckpointDiskFullError, CheckpointHook
from ascnet_mm.utils import human_bytes

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'


@pytest.mark.parametrize('config', [
    ASCNET, 'configs/rspnet/rspnet_r18_k400.py',
    'configs/cvrl/benchmarks/cvrl_r18-w16_finetune_synthetic.py',
    'configs/ascnet/benchmarks/ascnet_r18_finetune_ucf101.py'
])
def test_every_config_builds_our_checkpoint_hook(config):
    """The UCF-101 protocol inherits MMAction2's runtime, not ours: it gets
    the hook through the registry too."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        hook = HOOKS.build(cfg.default_hooks.checkpoint)
    assert type(hook) is CheckpointHook


def test_runner_registers_our_checkpoint_hook(tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, ASCNET))
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = 'checkpoint_hook_registry'
    runner = Runner.from_cfg(cfg)
    found = [h for h in runner.hooks if 'CheckpointHook' in type(h).__name__]
    assert [type(h) for h in found] == [CheckpointHook]


@pytest.mark.parametrize('config, expected', [
    ('configs/ascnet/r18_k400.py', (1, 2, 50)),
    ('configs/cvrl/cvrl_s3dg_k400.py', (1, 2, 50)),
    (ASCNET, (10, 1, 0)),
])
def test_pretraining_checkpoint_schedule(config, expected):
    """Kinetics runs save every epoch and keep every 50th (RSPNet's code);
    the short synthetic runs every 10th, one kept."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        hook = HOOKS.build(cfg.default_hooks.checkpoint)
    assert (hook.interval, hook.max_keep_ckpts, hook.keep_interval) == expected
    assert 'keep_interval' not in hook.args  # not passed to save_checkpoint


def test_keep_interval_must_be_a_count():
    for bad in (-1, 2.5, '50'):
        with pytest.raises(ValueError, match='keep_interval must be'):
            CheckpointHook(interval=1, keep_interval=bad)


class SavingRunner:
    """What ``CheckpointHook._save_checkpoint_with_step`` uses of a Runner:
    ``save_checkpoint`` writes a small real checkpoint."""

    max_epochs = 9

    def __init__(self, work_dir):
        self.work_dir = str(work_dir)
        self.model = torch.nn.Linear(2, 2)
        self.message_hub = MessageHub.get_instance(f'saving_{work_dir}')
        self.warnings = []
        self.logger = SimpleNamespace(warning=self.warnings.append)

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        save(osp.join(out_dir, filename))


def saving_hook(work_dir, **kwargs):
    """A CheckpointHook as ``before_train`` leaves it, saving to
    ``work_dir`` (by epoch)."""
    hook = CheckpointHook(**kwargs)
    hook.out_dir = str(work_dir)
    hook.file_backend = get_file_backend(str(work_dir))
    hook.keep_ckpt_ids = deque([], max(hook.max_keep_ckpts, 1))
    return hook


@pytest.mark.parametrize('max_keep, keep_interval, left', [
    (2, 3, [3, 6, 7, 8, 9]),
    (1, 3, [3, 6, 8, 9]),
    (2, 0, [8, 9]),
    (-1, 3, list(range(1, 10))),
])
def test_keep_interval_keeps_every_nth_checkpoint(tmp_path, max_keep,
                                                  keep_interval, left):
    """Epochs 1..9 saved: every ``keep_interval``-th stays, and
    ``max_keep_ckpts`` keeps that many of the others (RSPNet's
    ``checkpoint_interval``)."""
    hook = saving_hook(
        tmp_path,
        interval=1,
        max_keep_ckpts=max_keep,
        keep_interval=keep_interval)
    runner = SavingRunner(tmp_path)
    for epoch in range(1, 10):
        hook._save_checkpoint_with_step(runner, epoch, meta={})
    assert checkpoints(str(tmp_path)) == sorted(f'epoch_{e}.pth'
                                                for e in left)
    with open(tmp_path / 'last_checkpoint') as f:
        assert f.read() == str(tmp_path / 'epoch_9.pth')


@pytest.mark.parametrize('args, files', [
    # 200 epochs, every one saved, every 50th kept, 2 others: 4 + 2 + 1
    (dict(max_step=200, interval=1, max_keep=2, keep_interval=50), 7),
    # every 10th, the last 3 kept: 3 + 1 being written
    (dict(max_step=200, interval=10, max_keep=3), 4),
    # all kept: 3 for good + the 6 others + 1
    (dict(max_step=9, interval=1, max_keep=-1, keep_interval=3), 10),
    # saves 10, 20, 30, 40 and the last (45): one kept + 1
    (dict(max_step=45, interval=10, max_keep=1), 2),
    # from step 5, every 2nd: 6, 8, 10, all 3 kept, + 1 + the best
    (dict(max_step=10, interval=2, max_keep=5, save_begin=5, save_best=True),
     5),
])
def test_checkpoint_files_at_peak(args, files):
    assert checkpoint_files_at_peak(**args) == files


def test_human_bytes():
    assert [human_bytes(n) for n in (0, 1023, 1536, 3 * 2**20, 5 * 2**40)
            ] == ['0 B', '1023 B', '1.5 KiB', '3.0 MiB', '5120.0 GiB']


def test_a_disk_too_small_for_the_run_is_named_after_the_first_save(
        tmp_path, monkeypatch):
    """7 files of the first checkpoint's size at once (every epoch of 200,
    every 50th kept, 2 others), one already written: warned once when the
    disk has less than 6 more."""
    runner = SavingRunner(tmp_path)
    runner.max_epochs = 200
    hook = saving_hook(
        tmp_path, interval=1, max_keep_ckpts=2, keep_interval=50)
    os.makedirs(tmp_path / 'probe')  # an archive's size depends on its name
    size = osp.getsize(save(tmp_path / 'probe' / 'epoch_0.pth'))
    free = [6 * size - 1]
    monkeypatch.setattr(checkpoint_space.shutil, 'disk_usage',
                        lambda path: SimpleNamespace(free=free[0]))
    hook._save_checkpoint_with_step(runner, 1, meta={})
    hook._save_checkpoint_with_step(runner, 2, meta={})
    assert len(runner.warnings) == 1, runner.warnings
    assert runner.warnings[0].startswith(
        f'{tmp_path} has {human_bytes(6 * size - 1)} free, but this run\'s '
        f'checkpoints need about {human_bytes(6 * size)} more')
    assert 'up to 7 files of' in runner.warnings[0]
    assert 'lower max_keep_ckpts or raise keep_interval' in runner.warnings[0]

    runner, free[0] = SavingRunner(tmp_path / 'roomy'), 6 * size
    os.makedirs(runner.work_dir)
    hook = saving_hook(
        runner.work_dir, interval=1, max_keep_ckpts=2, keep_interval=50)
    runner.max_epochs = 200
    hook._save_checkpoint_with_step(runner, 1, meta={})
    assert runner.warnings == []


@pytest.mark.parametrize('error, free, full', [
    (OSError(errno.ENOSPC, 'No space left on device'), 10**9, True),
    (RuntimeError('PytorchStreamWriter failed writing file data/3'), 100,
     True),
    (RuntimeError('PytorchStreamWriter failed writing file data/3'), 10**9,
     False),
])
def test_a_save_that_fails_on_a_full_disk_says_so(tmp_path, monkeypatch,
                                                  error, free, full):
    runner = SavingRunner(tmp_path)
    hook = saving_hook(tmp_path, interval=1, max_keep_ckpts=2)
    hook._save_checkpoint_with_step(runner, 1, meta={})

    def fail(*args, **kwargs):
        raise error

    runner.save_checkpoint = fail
    monkeypatch.setattr(checkpoint_hook.shutil, 'disk_usage',
                        lambda path: SimpleNamespace(free=free))
    expected = CheckpointDiskFullError if full else type(error)
    with pytest.raises(expected) as info:
        hook._save_checkpoint_with_step(runner, 2, meta={})
    if full:
        message = str(info.value)
        assert f'writing {tmp_path}/epoch_2.pth failed' in message
        assert f'{tmp_path} has {human_bytes(free)} free: the disk is ' \
            'full.' in message
        assert f'The last good checkpoint, {tmp_path}/epoch_1.pth, is kept.' \
            in message and 'resume with --resume' in message
    assert checkpoints(str(tmp_path)) == ['epoch_1.pth']


# ------------------------------------------------------------ file helpers
def save(path, value=1.0):
    torch.save({'state_dict': {'w': torch.full((4096, ), value)}}, path)
    return str(path)


def test_atomic_write_replaces_whole_files(tmp_path):
    path = str(tmp_path / 'epoch_1.pth')
    atomic_write(path, b'old')
    atomic_write(path, b'new content')
    assert open(path, 'rb').read() == b'new content'
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'epoch_1.pth')
    atomic_write(path, b'old')

    def fail(point, target):
        if point == 'mid_write':
            raise OSError('disk full')

    monkeypatch.setattr(checkpoint_io, 'fault_injection', fail)
    with pytest.raises(OSError, match='disk full'):
        atomic_write(path, b'new content')
    assert open(path, 'rb').read() == b'old'
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_remove_partial_files_only_removes_temporaries(tmp_path):
    for name in ('.epoch_2.pth.tmp', '.last_checkpoint.tmp', 'epoch_1.pth',
                 '.notes.tmp', 'last_checkpoint'):
        (tmp_path / name).write_bytes(b'x')
    removed = remove_partial_files(str(tmp_path))
    assert sorted(osp.basename(p) for p in removed) == [
        '.epoch_2.pth.tmp', '.last_checkpoint.tmp'
    ]
    assert sorted(os.listdir(tmp_path)) == [
        '.notes.tmp', 'epoch_1.pth', 'last_checkpoint'
    ]


def damage(path, how):
    """Leave ``path`` missing, empty, truncated or not a zip."""
    if how == 'missing':
        os.remove(path)
        return
    data = open(path, 'rb').read()
    data = {
        'empty': b'',
        'truncated': data[:len(data) // 2],
        'text': b'not a checkpoint\n' * 10
    }[how]
    with open(path, 'wb') as f:
        f.write(data)


def test_unreadable_reason(tmp_path):
    good = save(tmp_path / 'good.pth')
    assert unreadable_reason(good) is None
    expected = {
        'missing': 'missing',
        'empty': 'empty (0 bytes)',
        'truncated': 'not a complete checkpoint',
        'text': 'not a complete checkpoint'
    }
    for how, reason in expected.items():
        path = save(tmp_path / f'{how}.pth')
        damage(path, how)
        assert unreadable_reason(path).startswith(reason), how
    flipped = bytearray(open(good, 'rb').read())
    flipped[len(flipped) // 2] ^= 0xFF  # in the tensor: its CRC fails
    (tmp_path / 'flipped.pth').write_bytes(bytes(flipped))
    assert 'CRC' in unreadable_reason(str(tmp_path / 'flipped.pth'))


def test_list_checkpoints_newest_first(tmp_path):
    for name in ('epoch_9.pth', 'epoch_10.pth', 'epoch_2.pth',
                 'best_acc_epoch_11.pth', '.epoch_12.pth.tmp'):
        (tmp_path / name).write_bytes(b'x')
    assert [
        osp.basename(p)
        for p in list_checkpoints(str(tmp_path), 'epoch_{}.pth')
    ] == ['epoch_10.pth', 'epoch_9.pth', 'epoch_2.pth']


@pytest.mark.parametrize('how', ['missing', 'empty', 'truncated', 'text'])
def test_resume_skips_an_unreadable_latest_checkpoint(tmp_path, how):
    first = save(tmp_path / 'epoch_1.pth')
    latest = save(tmp_path / 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text(latest)
    damage(latest, how)
    path, notes = find_resume_checkpoint(
        str(tmp_path), str(tmp_path), 'epoch_{}.pth')
    assert path == first
    assert f'the latest checkpoint {latest}' in notes[0]
    assert 'cannot be read' in notes[0]
    assert f'resuming from {first}' in notes[-1]


def test_resume_names_every_unreadable_checkpoint(tmp_path):
    paths = [save(tmp_path / f'epoch_{i}.pth') for i in (1, 2, 3)]
    (tmp_path / 'last_checkpoint').write_text(paths[2])
    for path, how in zip(paths, ('empty', 'text', 'truncated')):
        damage(path, how)
    with pytest.raises(NoReadableCheckpointError) as err:
        find_resume_checkpoint(str(tmp_path), str(tmp_path), 'epoch_{}.pth')
    message = str(err.value)
    assert 'none can be read' in message
    for path in paths:
        assert path in message
    assert 'empty (0 bytes)' in message and '--resume PATH' in message


def test_resume_choices_without_a_problem(tmp_path):
    work = str(tmp_path)
    assert find_resume_checkpoint(work, work, 'epoch_{}.pth') == (None, [])
    first = save(tmp_path / 'epoch_1.pth')
    latest = save(tmp_path / 'epoch_2.pth')
    # killed before last_checkpoint was first written: the newest one
    assert find_resume_checkpoint(work, work, 'epoch_{}.pth')[0] == latest
    # last_checkpoint is trusted while readable (a newer file may be another
    # run's)
    (tmp_path / 'last_checkpoint').write_text(first)
    assert find_resume_checkpoint(work, work, 'epoch_{}.pth') == (first, [])


# ------------------------------------------------------------ real training
def checkpoints(work):
    return sorted(
        f for f in os.listdir(work)
        if f.startswith('epoch_') and f.endswith('.pth'))


def assert_all_load(work):
    """No file under a checkpoint's final name is partial."""
    for name in checkpoints(work):
        ckpt = torch.load(osp.join(work, name), weights_only=True)
        assert ckpt['meta']['epoch'] == int(name[6:-4])


# What the work dir holds after a kill while epoch_2.pth is saved (epoch_1
# kept so far): checkpoints, where last_checkpoint points, a temporary file.
AFTER_KILL = {
    'mid_write': (['epoch_1.pth'], 'epoch_1.pth', True),
    'before_rename': (['epoch_1.pth'], 'epoch_1.pth', True),
    'after_rename': (['epoch_1.pth', 'epoch_2.pth'], 'epoch_1.pth', False),
    'before_remove': (['epoch_1.pth', 'epoch_2.pth'], 'epoch_2.pth', False),
    'after_remove': (['epoch_2.pth'], 'epoch_2.pth', False),
}


@pytest.mark.slow
@pytest.mark.parametrize('point', list(AFTER_KILL))
def test_kill_inside_a_checkpoint_save_then_resume(tiny_synthetic, tmp_path,
                                                   point):
    """SIGKILL at each step of saving epoch_2.pth (max_keep_ckpts=1), then
    ``tools/train.py --resume`` finishes the 3 epochs."""
    work = str(tmp_path / 'work')
    options = synthetic_options(tiny_synthetic, 3)
    killer = derived_config(
        tmp_path / 'kill.py', ASCNET,
        "custom_imports = dict(imports=['ascnet_mm', 'checkpoint_faults'], "
        'allow_failed_imports=False)\n'
        'custom_hooks = _base_.custom_hooks + [dict(type='
        f"'KillInCheckpointSave', point={point!r}, filename='epoch_2.pth')]\n")
    code, log = train_tool(killer, work, options=options)
    assert code == -signal.SIGKILL, log[-3000:]

    kept, latest, partial = AFTER_KILL[point]
    assert checkpoints(work) == kept
    assert_all_load(work)
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work, latest)
    temporary = osp.join(work, '.epoch_2.pth.tmp')
    assert osp.exists(temporary) == partial
    if point == 'mid_write':
        assert 0 < osp.getsize(temporary) < osp.getsize(
            osp.join(work, 'epoch_1.pth'))

    code, log = train_tool(
        osp.join(ROOT, ASCNET), work, '--resume', options=options)
    assert code == 0, log[-3000:]
    assert f'Auto resumed from the latest checkpoint {work}/{latest}' in log
    assert checkpoints(work) == ['epoch_3.pth']
    assert_all_load(work)
    assert not [f for f in os.listdir(work) if f.endswith('.tmp')]
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work, 'epoch_3.pth')


@pytest.mark.slow
def test_train_tool_resume_falls_back_or_refuses(tiny_synthetic, tmp_path):
    work = str(tmp_path / 'work')
    options = synthetic_options(
        tiny_synthetic, 2) + ['default_hooks.checkpoint.max_keep_ckpts=2']
    code, log = train_tool(osp.join(ROOT, ASCNET), work, options=options)
    assert code == 0, log[-3000:]
    assert checkpoints(work) == ['epoch_1.pth', 'epoch_2.pth']
    damage(osp.join(work, 'epoch_2.pth'), 'truncated')

    options[options.index('train_cfg.max_epochs=2')] = 'train_cfg.max_epochs=3'
    code, log = train_tool(
        osp.join(ROOT, ASCNET), work, '--resume', options=options)
    assert code == 0, log[-3000:]
    assert f'the latest checkpoint {work}/epoch_2.pth' in log
    assert f'Auto resumed from the latest checkpoint {work}/epoch_1.pth' in log
    assert 'Epoch(train) [2]' in log and 'Epoch(train) [1]' not in log
    assert checkpoints(work) == ['epoch_2.pth', 'epoch_3.pth']
    assert_all_load(work)

    for name in checkpoints(work):
        damage(osp.join(work, name), 'empty')
    code, log = train_tool(
        osp.join(ROOT, ASCNET), work, '--resume', options=options)
    assert code != 0
    assert 'NoReadableCheckpointError' in log and 'none can be read' in log
    assert f'{work}/epoch_2.pth: empty (0 bytes)' in log


@pytest.mark.slow
def test_a_new_best_checkpoint_is_complete_before_the_old_one_goes(
        tiny_synthetic, tmp_path, monkeypatch):
    cfg = finetune_config(
        'configs/ascnet/benchmarks/ascnet_r18-w16_finetune_synthetic.py',
        tiny_synthetic,
        str(tmp_path),
        epochs=3)
    cfg.model.backbone.init_cfg = None
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    runner = Runner.from_cfg(cfg)
    (hook, ) = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
    hook.rule_map = dict.fromkeys(('greater', 'less'), lambda new, old: True)
    seen = []

    def record(point, path):
        if point == 'after_rename' and osp.basename(path).startswith('best'):
            seen.append(
                sorted(
                    f for f in os.listdir(tmp_path) if f.startswith('best_')))

    monkeypatch.setattr(checkpoint_io, 'fault_injection', record)
    runner.train()
    # every new best was complete while the previous one was still there
    assert [len(names) for names in seen] == [1, 2, 2]
    assert [names[-1][-11:] for names in seen
            ] == ['epoch_1.pth', 'epoch_2.pth', 'epoch_3.pth']
    best = [f for f in os.listdir(tmp_path) if f.startswith('best_')]
    assert best == [seen[-1][-1]]
    assert checkpoints(str(tmp_path)) == ['epoch_3.pth']
    torch.load(str(tmp_path / best[0]), weights_only=True)
