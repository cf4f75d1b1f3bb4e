"""VideoListDataset: labelled/unlabelled lists, clear errors on bad lines,
labels checked against num_classes, empty and too short lists refused when
they are built."""
import os.path as osp
import re

import numpy as np
import pytest
from helpers import ramp_video, write_video
from mmaction.registry import DATASETS
from mmengine import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from ascnet_mm.datasets import VideoListDataset

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
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        VideoListDataset(missing, pipeline=[])


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
