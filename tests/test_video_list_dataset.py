"""VideoListDataset: labelled/unlabelled lists, clear errors on bad lines,
labels checked against num_classes, empty and too short lists refused when
they are built."""
import os.path as osp
import re
import time

import numpy as np
import pytest
from helpers import (derived_config, ramp_video, synthetic_options, train_tool,
                     write_video)
from loading_faults import HangOnVideo
from mmaction.registry import DATASETS
from mmengine import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from ascnet_mm.datasets import VideoListDataset, sample_watchdog
from ascnet_mm.datasets.sample_watchdog import EXIT_CODE

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _ann(tmp_path, text, name='list.txt'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _items(ds, key):
    return [ds.get_data_info(i)[key] for i in range(len(ds))]


def test_mixed_list_with_comments_and_blank_lines(tmp_path):
    ann = _ann(
        tmp_path, '# header\n\na.mp4 3\n  b.mp4\t\n\nsub/c.mp4   0\n'
        '   # indented comment\n')
    ds = DATASETS.build(
        dict(
            type='VideoListDataset',
            ann_file=ann,
            pipeline=[],
            data_prefix=dict(video='root')))
    assert isinstance(ds, VideoListDataset)
    assert _items(
        ds, 'filename') == ['root/a.mp4', 'root/b.mp4', 'root/sub/c.mp4']
    assert _items(ds, 'label') == [3, -1, 0]


def test_custom_delimiter(tmp_path):
    ann = _ann(tmp_path, 'my video.mp4, 2\nother.mp4\n')
    ds = VideoListDataset(ann, pipeline=[], delimiter=',')
    assert _items(ds, 'filename') == ['my video.mp4', 'other.mp4']
    assert _items(ds, 'label') == [2, -1]


def test_multi_class(tmp_path):
    ann = _ann(tmp_path, 'a.mp4 0 2\nb.mp4 1\nc.mp4\n')
    ds = VideoListDataset(ann, pipeline=[], multi_class=True, num_classes=3)
    assert [v.tolist() for v in _items(ds, 'label')] == [[1, 0, 1], [0, 1, 0],
                                                         [0, 0, 0]]


@pytest.mark.parametrize('text, lineno, bad, kwargs', [
    ('a.mp4 1\n# c\nb.mp4 one\n', 3, 'b.mp4 one', {}),
    ('a.mp4 1 2\n', 1, 'a.mp4 1 2', {}),
    ('\na.mp4 1.5\n', 2, 'a.mp4 1.5', {}),
    ('a.mp4 -3\n', 1, 'a.mp4 -3', {}),
    ('a.mp4 0\nb.mp4 0 3\n', 2, 'b.mp4 0 3',
     dict(multi_class=True, num_classes=3)),
    ('a.mp4 0\nb.mp4 99\n', 2, 'b.mp4 99', dict(num_classes=10)),
    ('a.mp4 0\n\nb.mp4\n', 3, 'b.mp4', dict(num_classes=10)),
    ('a.mp4 -1\n', 1, 'a.mp4 -1', dict(num_classes=10)),
])
def test_malformed_line_names_file_line_and_content(tmp_path, text, lineno,
                                                    bad, kwargs):
    ann = _ann(tmp_path, text)
    with pytest.raises(ValueError) as err:
        VideoListDataset(ann, pipeline=[], **kwargs)
    msg = str(err.value)
    assert f'{ann}:{lineno}:' in msg and repr(bad) in msg


def test_multi_class_needs_num_classes(tmp_path):
    with pytest.raises(ValueError, match='num_classes'):
        VideoListDataset(
            _ann(tmp_path, 'a.mp4 1\n'), pipeline=[], multi_class=True)


def test_missing_annotation_file(tmp_path):
    missing = str(tmp_path / 'nope.txt')
    with pytest.raises(FileNotFoundError) as info:
        VideoListDataset(missing, pipeline=[])
    assert str(info.value).startswith(f'annotation file not found: {missing}')
    assert 'tools/data/build_lists.py' in str(info.value)


def test_unlabelled_list_through_a_decord_pipeline(tmp_path):
    write_video(tmp_path / 'v.mp4', ramp_video(12, size=32))
    ann = _ann(tmp_path, 'v.mp4\n')
    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
        dict(type='DecordDecode'),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')
    ]
    with DefaultScope.overwrite_default_scope('mmaction'):
        ds = VideoListDataset(
            ann, pipeline=pipeline, data_prefix=dict(video=str(tmp_path)))
        out = ds[0]
    assert tuple(out['inputs'].shape) == (1, 3, 4, 32, 32)
    assert out['data_samples'].gt_label.item() == -1
    assert np.isfinite(out['inputs'].float().numpy()).all()


@pytest.mark.parametrize('text, error', [
    ('a.mp4 0\nb.mp4 10\n', 'label 10 is outside [0, 10)'),
    ('a.mp4 0\nb.mp4\n', 'no label (num_classes=10: every line needs '
     '"path label")'),
    ('a.mp4 0 12 3 -1\n', 'labels [12, -1] are outside [0, 10)'),
])
def test_labels_checked_against_num_classes(tmp_path, text, error):
    ann = _ann(tmp_path, text)
    with pytest.raises(ValueError, match=re.escape(error)):
        VideoListDataset(
            ann,
            pipeline=[],
            num_classes=10,
            multi_class=text.startswith('a.mp4 0 12'))


def test_labels_in_range_and_unlabelled_lists_stay_as_they_are(tmp_path):
    ds = VideoListDataset(
        _ann(tmp_path, 'a.mp4 0\nb.mp4 9\n'), pipeline=[], num_classes=10)
    assert _items(ds, 'label') == [0, 9]
    ds = VideoListDataset(_ann(tmp_path, 'a.mp4\nb.mp4 99\n'), pipeline=[])
    assert _items(ds, 'label') == [-1, 99]


@pytest.mark.parametrize('text', ['', '# only a comment\n\n'])
def test_empty_list_fails_naming_the_file(tmp_path, text):
    ann = _ann(tmp_path, text)
    with pytest.raises(ValueError) as err:
        VideoListDataset(ann, pipeline=[])
    assert str(err.value) == (f'{ann}: the list has no videos (it is empty '
                              'or has only blank and comment lines)')


def protocol_cfg(data, ann, work_dir):
    cfg = Config.fromfile(
        osp.join(
            ROOT, 'configs/ascnet/benchmarks/'
            'ascnet_r18-w16_finetune_synthetic.py'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.ann_file = ann
        cfg[key].dataset.data_prefix.video = f'{data}/videos'
        cfg[key].num_workers = 0
    cfg.model.backbone.init_cfg = None
    cfg.work_dir = work_dir
    cfg.experiment_name = osp.basename(ann)
    return cfg


def test_protocol_config_refuses_an_out_of_range_label(tiny_synthetic,
                                                       tmp_path):
    with open(f'{tiny_synthetic}/train.txt') as f:
        first = f.readline()
    ann = _ann(tmp_path, f'{first}{first.split()[0]} 99\n')
    runner = Runner.from_cfg(protocol_cfg(tiny_synthetic, ann, str(tmp_path)))
    with pytest.raises(
            ValueError,
            match=re.escape(f'{ann}:2: label 99 is outside [0, 10)')):
        runner.train()


@pytest.mark.parametrize('loop', ['EpochBasedTrainLoop', 'IterBasedTrainLoop'])
def test_list_shorter_than_a_batch_fails_at_build(tiny_synthetic, tmp_path,
                                                  loop):
    with open(f'{tiny_synthetic}/train.txt') as f:
        lines = f.readlines()[:3]
    ann = _ann(tmp_path, ''.join(lines))
    cfg = protocol_cfg(tiny_synthetic, ann, str(tmp_path))
    cfg.train_cfg = dict(
        type=loop,
        **{
            'EpochBasedTrainLoop': dict(max_epochs=1),
            'IterBasedTrainLoop': dict(max_iters=2)
        }[loop])
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.drop_last = True
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError) as err:
        runner.train()
    assert str(err.value) == (
        f'the training list {ann} has 3 samples, fewer than one global batch '
        'of 4 (4 per process x 1 processes) with drop_last=True: an epoch '
        'would have no iterations. Use a longer list, a smaller '
        'train_dataloader.batch_size or fewer processes.')


# ------------------------------------------------------- stuck samples
def stuck_dataset(tmp_path, timeout):
    return VideoListDataset(
        _ann(tmp_path, 'ok.mp4\nstuck.mp4\n'),
        pipeline=[HangOnVideo('stuck.mp4')],
        sample_timeout=timeout)


def test_a_stuck_sample_stops_its_worker_naming_the_video(tmp_path, capfd):
    """The worker stuck on stuck.mp4 ends with a message naming it and the
    list; the trainer's DataLoader raises instead of waiting for ever."""
    ds = stuck_dataset(tmp_path, timeout=0.5)
    loader = DataLoader(
        ds, batch_size=1, num_workers=1, collate_fn=lambda batch: batch)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match='exited unexpectedly'):
        list(loader)
    assert time.monotonic() - start < 30
    err = capfd.readouterr().err
    assert re.search(
        r'stuck\.mp4: loading this sample has taken \d+ s, more than '
        r'sample_timeout=0\.5 s of the dataset of .*list\.txt', err), err
    assert 'tools/data/verify_videos.py' in err and '--resume' in err
    assert f'exit status {EXIT_CODE}' in err
    assert 'The stack of every thread follows.' in err
    assert 'in __call__' in err  # HangOnVideo's frame, where the worker hangs


def test_samples_within_the_timeout_load(tmp_path):
    ds = stuck_dataset(tmp_path, timeout=30)
    assert ds[0] == ds.get_data_info(0)  # passed through
    assert ds[0]['filename'] == 'ok.mp4'
    assert not sample_watchdog._loading  # nothing left marked as loading


def test_no_timeout_and_bad_timeouts(tmp_path):
    ds = stuck_dataset(tmp_path, timeout=None)
    ds.pipeline.transforms[0].seconds = 0.2
    assert ds[1] == ds.get_data_info(1)  # not watched
    assert ds[1]['filename'] == 'stuck.mp4'
    for bad in (-1, float('nan')):
        with pytest.raises(ValueError, match='sample_timeout must be'):
            stuck_dataset(tmp_path, timeout=bad)


@pytest.mark.slow
def test_train_tool_stops_on_a_stuck_video(tiny_synthetic, tmp_path):
    """tools/train.py with a worker stuck on one video stops within seconds
    of sample_timeout, naming the video, instead of hanging."""
    with open(osp.join(tiny_synthetic, 'pretrain.txt')) as f:
        stuck = osp.basename(f.readline().split()[0])
    config = derived_config(
        tmp_path / 'stuck.py', 'configs/ascnet/ascnet_r18-w16_synthetic.py',
        "custom_imports = dict(imports=['ascnet_mm', 'loading_faults'], "
        'allow_failed_imports=False)\n'
        'train_dataloader = dict(dataset=dict(sample_timeout=2, pipeline=['
        f'dict(type="HangOnVideo", name={stuck!r})] + '
        '_base_.train_dataloader.dataset.pipeline))\n')
    options = synthetic_options(tiny_synthetic, 1)
    options[options.index('train_dataloader.num_workers=0')] = \
        'train_dataloader.num_workers=1'
    start = time.monotonic()
    code, log = train_tool(config, str(tmp_path / 'work'), options=options)
    assert code != 0, log[-3000:]
    assert time.monotonic() - start < 120
    assert f'{stuck}: loading this sample has taken' in log, log[-3000:]
    assert 'exited unexpectedly' in log
