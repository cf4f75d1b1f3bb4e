"""Bad input never stops a training run; test sets and config mistakes fail
with messages that name the file and what to change."""
import json
import logging
import os
import os.path as osp
import shutil
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from helpers import build_model, run_python
from mmengine import Config
from mmengine.registry import DefaultScope

import ascnet_mm.datasets.video_list_dataset as vld
from ascnet_mm.datasets import PipelineConfigError, VideoListDataset
from ascnet_mm.datasets.transforms import (RelativeSpeedSampler,
                                           SpeedPairSampler,
                                           TemporalIntervalSampler)
from ascnet_mm.synthetic import generate

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = osp.join(ROOT, 'configs/ascnet/ascnet_r18-w16_synthetic.py')
RSPNET = osp.join(ROOT, 'configs/rspnet/rspnet_r18-w16_synthetic.py')
CVRL = osp.join(ROOT, 'configs/cvrl/cvrl_r18-w16_synthetic.py')
BROKEN = ('empty.mp4', 'half.mp4', 'text.mp4', 'missing.mp4')


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.fixture(scope='module')
def salted(tmp_path_factory):
    """A synthetic set whose pretrain list also names four broken videos:
    zero bytes, the first half of a video, text renamed to .mp4, a missing
    file."""
    out = str(tmp_path_factory.mktemp('salted'))
    generate(out, 12, seed=0, size=32, workers=1)
    videos = osp.join(out, 'videos')
    good = sorted(f for f in os.listdir(videos) if f.endswith('.mp4'))
    with open(osp.join(videos, good[0]), 'rb') as f:
        data = f.read()
    open(osp.join(videos, 'empty.mp4'), 'wb').close()
    with open(osp.join(videos, 'half.mp4'), 'wb') as f:
        f.write(data[:len(data) // 2])
    with open(osp.join(videos, 'text.mp4'), 'w') as f:
        f.write('this is not a video\n' * 20)
    shutil.copy(osp.join(out, 'pretrain.txt'), osp.join(out, 'clean.txt'))
    with open(osp.join(out, 'pretrain.txt'), 'a') as f:
        f.writelines(f'{name}\n' for name in BROKEN)
    return out


def lines(path):
    with open(path) as f:
        return [ln.split()[0] for ln in f if ln.strip()]


def dataset(root, ann='pretrain.txt', **kwargs):
    pipeline = Config.fromfile(ASCNET).train_dataloader.dataset.pipeline
    return VideoListDataset(
        osp.join(root, ann),
        pipeline=pipeline,
        data_prefix=dict(video=osp.join(root, 'videos')),
        **kwargs)


@pytest.fixture
def logs(monkeypatch):
    """The dataset's log lines by level: {'WARNING': [...], 'DEBUG': [...]}."""
    logged = {'WARNING': [], 'DEBUG': []}
    monkeypatch.setattr(
        vld,
        'print_log',
        lambda msg, level=logging.INFO, **kwargs: logged[logging.getLevelName(
            level)].append(msg))
    return logged


def test_training_skips_each_kind_of_broken_video(salted, logs):
    warnings = logs['WARNING']
    ds = dataset(salted)
    names = lines(osp.join(salted, 'pretrain.txt'))
    np.random.seed(0)
    for name in BROKEN:
        out = ds[names.index(name)]
        skipped = out['data_samples'].skipped_files
        assert skipped[0] == osp.join(salted, 'videos', name)
        assert out['data_samples'].num_skipped == len(skipped)
        assert out['data_samples'].video_idx != names.index(name)
        assert out['inputs'].shape == (2, 3, 8, 32, 32)
    assert ds[0]['data_samples'].num_skipped == 0
    assert ds[0]['data_samples'].skipped_files == []
    for name in BROKEN:
        hits = [w for w in warnings if osp.join(salted, 'videos', name) in w]
        assert len(hits) == 1, (name, warnings)  # once per file
        assert hits[0].startswith('skipping unreadable video')
    reasons = {
        name: [w for w in warnings if name in w][0].split(': ', 1)[1]
        for name in BROKEN
    }
    # the decoder's own text only at debug level
    assert any('Error reading' in d for d in logs['DEBUG'])
    assert not any('Error reading' in w for w in warnings)
    assert reasons == {
        'missing.mp4': 'missing',
        'empty.mp4': 'empty file',
        'text.mp4': 'not a video (unknown file header)',
        'half.mp4': 'truncated (mp4 box runs past end of file)'
    }


def test_too_many_bad_videos_in_a_row_is_a_clear_error(salted, tmp_path):
    ann = tmp_path / 'bad.txt'
    ann.write_text(''.join(f'{n}\n' for n in BROKEN))
    ds = VideoListDataset(
        str(ann),
        max_refetch=3,
        pipeline=dataset(salted).pipeline.transforms,
        data_prefix=dict(video=osp.join(salted, 'videos')))
    with pytest.raises(RuntimeError) as err:
        ds[0]
    msg = str(err.value)
    assert msg.startswith(f'4 videos in a row of {ann} could not be read')
    assert osp.join(salted, 'videos') in msg and 'verify_videos' in msg


def test_test_mode_raises_naming_the_file(salted):
    ds = dataset(salted, test_mode=True)
    idx = lines(osp.join(salted, 'pretrain.txt')).index('text.mp4')
    with pytest.raises(RuntimeError) as err:
        ds[idx]
    msg = str(err.value)
    assert osp.join(salted, 'videos', 'text.mp4') in msg
    assert 'a test set does not skip videos' in msg and 'pretrain.txt' in msg


@pytest.mark.parametrize('sampler', [
    SpeedPairSampler(clip_len=8, speeds=(1, 4), out_of_bound_opt=None),
    RelativeSpeedSampler(clip_len=8, fast_speed=4, out_of_bound_opt=None),
    TemporalIntervalSampler(
        clip_len=8, frame_interval=4, out_of_bound_opt=None),
])
def test_clip_longer_than_video_without_out_of_bound_opt(sampler):
    results = dict(filename='short.mp4', total_frames=20, sample_idx=0)
    with pytest.raises(PipelineConfigError) as err:
        sampler(results)
    msg = str(err.value)
    assert msg.startswith('short.mp4:') and 'spans 29 frames' in msg
    assert 'has 20 frames' in msg and "'loop' or 'clamp'" in msg
    ok = dict(results, total_frames=29)
    assert sampler(ok)['frame_inds'].max() < 29


def test_dataset_never_skips_a_config_error(salted):
    pipeline = Config.fromfile(ASCNET).train_dataloader.dataset.pipeline
    pipeline[1] = dict(pipeline[1], speeds=(1, 16), out_of_bound_opt=None)
    ds = VideoListDataset(
        osp.join(salted, 'clean.txt'),
        pipeline=pipeline,
        data_prefix=dict(video=osp.join(salted, 'videos')))
    with pytest.raises(PipelineConfigError, match='vid_.*spans 113 frames'):
        ds[0]


def test_a_step_after_decoding_is_never_a_skipped_video(salted, logs):
    # CVRL's config with three views: ViewAugment has two per-view
    # probabilities. Before, nine good videos were reported unreadable.
    pipeline = Config.fromfile(CVRL).train_dataloader.dataset.pipeline
    pipeline[1] = dict(pipeline[1], num_views=3)
    ds = VideoListDataset(
        osp.join(salted, 'clean.txt'),
        pipeline=pipeline,
        data_prefix=dict(video=osp.join(salted, 'videos')))
    with pytest.raises(PipelineConfigError) as err:
        ds[0]
    assert str(err.value).startswith('ViewAugment failed on ')
    assert 'whose frames decoded' in str(err.value)
    assert 'prob has 2 values for 3 views' in str(err.value)
    assert logs['WARNING'] == []


@pytest.mark.parametrize('config, views, expected', [
    (ASCNET, 1, 'V >= 2 views, got shape (2, 1, 3, 8, 32, 32): use '
     'SpeedPairSampler(num_views=2)'),
    (RSPNET, 2, 'V = 3 views, got shape (2, 2, 3, 8, 32, 32): use '
     'RelativeSpeedSampler'),
    (CVRL, 3, 'V = 2 views, got shape (2, 3, 3, 8, 32, 32): use '
     'TemporalIntervalSampler(num_views=2)'),
])
def test_each_method_names_its_sampler_for_other_views(config, views,
                                                       expected):
    model = build_model(config)
    with pytest.raises(ValueError) as err:
        model.loss(torch.zeros(2, views, 3, 8, 32, 32), [])
    assert expected in str(err.value)


def test_hook_counts_distinct_files_over_ranks(monkeypatch):
    from mmaction.structures import ActionDataSample

    import ascnet_mm.engine.hooks.skipped_videos_hook as module
    logged, scalars = [], {}
    runner = SimpleNamespace(
        epoch=2,
        iter=30,
        logger=SimpleNamespace(log=lambda lvl, msg: logged.append((lvl, msg))),
        message_hub=SimpleNamespace(update_scalar=scalars.__setitem__),
        visualizer=SimpleNamespace(add_scalars=lambda d, step: None))

    def sample(*files):
        return ActionDataSample(
            metainfo=dict(num_skipped=len(files), skipped_files=list(files)))

    hook = module.SkippedVideosHook(max_names=2)
    hook.before_train_epoch(runner)
    # the same bad file drawn twice (e.g. by two data workers)
    hook.after_train_iter(
        runner, 0,
        dict(
            data_samples=[sample('a.mp4'),
                          sample(),
                          sample('a.mp4', 'b.mp4')]))
    # another rank skipped b.mp4 and c.mp4
    other_rank = (['b.mp4', 'c.mp4'], 2)
    monkeypatch.setattr(module, 'all_gather_object',
                        lambda obj: [obj, other_rank])
    hook.after_train_epoch(runner)
    assert scalars == {'skipped_videos': 3, 'skip_events': 5}
    assert logged == [(logging.WARNING, 'Epoch(train) [3]: skipped 3 '
                       'unreadable videos this epoch (5 skips): a.mp4, '
                       'b.mp4, ... (1 more)')]
    hook.before_train_epoch(runner)
    monkeypatch.setattr(module, 'all_gather_object', lambda obj: [obj])
    hook.after_train_epoch(runner)
    assert logged[-1] == (logging.INFO, 'Epoch(train) [3]: skipped 0 '
                          'unreadable videos this epoch (0 skips)')


@pytest.mark.slow
def test_train_tool_finishes_on_a_salted_set_and_logs_skips(salted, tmp_path):
    work = str(tmp_path / 'work')
    cmd = [
        'tools/train.py', ASCNET, '--work-dir', work, '--cfg-options',
        f'train_dataloader.dataset.ann_file={salted}/'
        'pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={salted}/videos',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=1',
        'train_cfg.max_epochs=2', 'default_hooks.logger.interval=1',
        'model.bank_size=16'
    ]
    proc = run_python(cmd)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert osp.exists(osp.join(work, 'epoch_2.pth'))
    for name in BROKEN:
        assert f'skipping unreadable video {salted}/videos/{name}' in log
    counts = [
        line.split('skipped ')[1].split()[0] for line in log.splitlines()
        if 'unreadable videos this epoch' in line
    ]
    # distinct files: at most the four broken ones each epoch
    assert len(counts) == 2 and all(0 < int(c) <= 4 for c in counts), counts
    run_dir = [d for d in os.listdir(work) if osp.isdir(osp.join(work, d))]
    with open(osp.join(work, run_dir[0], 'vis_data', 'scalars.json')) as f:
        rows = [json.loads(ln) for ln in f if 'skipped_videos' in ln]
    assert [r['skipped_videos'] for r in rows] == [int(c) for c in counts]
