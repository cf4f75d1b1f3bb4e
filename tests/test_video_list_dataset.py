"""VideoListDataset: labelled/unlabelled lists, clear errors on bad lines."""
import numpy as np
import pytest
from helpers import ramp_video, write_video
from mmaction.registry import DATASETS
from mmengine.registry import DefaultScope

from ascnet_mm.datasets import VideoListDataset


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
