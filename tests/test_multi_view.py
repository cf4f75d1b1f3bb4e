import random

import numpy as np
import pytest
import torch
from helpers import ramp_video, write_video
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose

from ascnet_mm.datasets.transforms import MultiViewTransforms

H, W = 24, 32


def coded_frames(num_frames):
    """Frames whose channels 0/1 code x/y and channel 2 the frame index."""
    ys, xs = np.mgrid[:H, :W]
    frames = np.empty((num_frames, H, W, 3), dtype=np.uint8)
    frames[..., 0] = xs * 8
    frames[..., 1] = ys * 8
    frames[..., 2] = (np.arange(num_frames) * 10)[:, None, None]
    return list(frames)


def view_results(view_frame_map, num_frames=6):
    imgs = coded_frames(num_frames)
    return dict(
        imgs=imgs,
        view_frame_map=np.asarray(view_frame_map),
        img_shape=(H, W),
        original_shape=(H, W),
        modality='RGB')


def test_flip_consistent_within_view_and_views_independent():
    np.random.seed(0)
    vmap = np.random.randint(6, size=(16, 4))
    results = MultiViewTransforms([dict(type='Flip', flip_ratio=0.5)])(
        view_results(vmap))
    imgs = np.stack(results['imgs']).reshape(16, 4, H, W, 3)
    flipped = imgs[..., 0, 0, 0] == (W - 1) * 8
    assert (flipped == flipped[:, :1]).all()
    assert 0 < flipped[:, 0].sum() < 16
    assert results['view_flip'] == list(flipped[:, 0])
    np.testing.assert_array_equal(imgs[..., 0, 0, 2], vmap * 10)


def test_in_place_flip_touches_each_frame_once():
    results = view_results([[0, 0, 1], [1, 1, 1]], num_frames=2)
    decoded = results['imgs']
    original = [img.copy() for img in decoded]
    results = MultiViewTransforms([dict(type='Flip', flip_ratio=1.0)])(results)
    for img, src in zip(results['imgs'], [0, 0, 1, 1, 1, 1]):
        np.testing.assert_array_equal(img, original[src][:, ::-1])
    for img, src in zip(decoded, original):
        np.testing.assert_array_equal(img, src)


def test_crops_independent_across_views_consistent_within():
    np.random.seed(0)
    num_views, clip_len = 4, 5
    vmap = np.arange(num_views * clip_len).reshape(num_views, clip_len) % 6
    transform = MultiViewTransforms([
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(16, 16), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
    ])
    results = transform(view_results(vmap))
    assert len(results['imgs']) == num_views * clip_len
    assert results['img_shape'] == (16, 16)
    assert (results['num_clips'], results['clip_len']) == (num_views, clip_len)
    boxes = {tuple(b) for b in results['view_crop_bbox']}
    assert len(boxes) == num_views
    imgs = np.stack(results['imgs']).reshape(num_views, clip_len, 16, 16, 3)
    np.testing.assert_array_equal(
        imgs[..., :2],
        np.broadcast_to(imgs[:, :1, ..., :2], imgs[..., :2].shape))
    assert len({imgs[v, 0, ..., :2].tobytes()
                for v in range(num_views)}) == num_views


def test_views_must_end_with_same_shape():
    np.random.seed(0)
    transform = MultiViewTransforms([dict(type='RandomResizedCrop')])
    with pytest.raises(ValueError, match='fixed-size'):
        transform(view_results(np.zeros((4, 2), dtype=int)))


def test_view_returning_none_drops_sample():
    transform = MultiViewTransforms([lambda results: None])
    assert transform(view_results([[0, 1]])) is None


def test_full_pipeline_on_a_real_video(tmp_path):
    np.random.seed(0)
    filename = write_video(tmp_path / 'ramp.mp4', ramp_video(30, 64))
    clip_len = 8
    pipeline = Compose([
        TRANSFORMS.build(t) for t in [
            dict(type='DecordInit'),
            dict(type='SpeedPairSampler', clip_len=clip_len, speeds=(1, 2)),
            dict(type='DecordDecode'),
            dict(
                type='MultiViewTransforms',
                transforms=[
                    dict(type='Resize', scale=(-1, 40)),
                    dict(type='RandomResizedCrop'),
                    dict(type='Resize', scale=(32, 32), keep_ratio=False),
                    dict(type='Flip', flip_ratio=0.5),
                ]),
            dict(type='FormatShape', input_format='NCTHW'),
            dict(
                type='PackActionInputs',
                meta_keys=('view_speeds', 'video_idx')),
        ]
    ])
    packed = pipeline(
        dict(filename=filename, start_index=0, modality='RGB', sample_idx=5))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.shape == (2, 3, clip_len, 32, 32)
    assert inputs.dtype == torch.uint8
    assert sample.metainfo['video_idx'] == 5
    speeds = sample.metainfo['view_speeds']
    assert sorted(speeds) == [1, 2]
    frame_ids = torch.round(inputs.double().mean(dim=(1, 3, 4)) / 8).numpy()
    np.testing.assert_array_equal(
        np.diff(frame_ids, axis=1), np.repeat(speeds[:, None], clip_len - 1,
                                              1))


def test_a_group_shares_crop_and_flip_and_its_shared_frames():
    """Views 1 and 2 (one group) share frames 2 and 4: those come out
    identical; view 0 (its own group) gets its own crop."""
    np.random.seed(0)
    vmap = np.array([[0, 1, 2], [2, 3, 4], [0, 2, 4]])
    transform = MultiViewTransforms([
        dict(type='RandomResizedCrop', area_range=(0.2, 0.5)),
        dict(type='Resize', scale=(16, 16), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
    ])
    flips = []
    for _ in range(20):
        results = view_results(vmap)
        results['view_groups'] = np.array([0, 1, 1])
        results = transform(results)
        boxes = [tuple(b) for b in results['view_crop_bbox']]
        assert boxes[1] == boxes[2]
        assert results['view_flip'][1] == results['view_flip'][2]
        flips.append(results['view_flip'])
        imgs = np.stack(results['imgs']).reshape(3, 3, 16, 16, 3)
        np.testing.assert_array_equal(imgs[1, 0], imgs[2, 1])
        np.testing.assert_array_equal(imgs[1, 2], imgs[2, 2])
        np.testing.assert_array_equal(imgs[..., 0, 0, 2], vmap * 10)
    assert any(f[0] != f[1] for f in flips)


def seed(value):
    """Stock crops draw offsets from ``random``, the rest from numpy."""
    random.seed(value)
    np.random.seed(value)


def test_singleton_groups_are_the_per_view_mode():
    vmap = np.random.default_rng(0).integers(6, size=(4, 3))
    transform = MultiViewTransforms([
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(8, 8), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
    ])
    seed(3)
    plain = transform(view_results(vmap))
    seed(3)
    grouped = view_results(vmap)
    grouped['view_groups'] = np.arange(4)
    grouped = transform(grouped)
    for a, b in zip(plain['imgs'], grouped['imgs']):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(plain['view_crop_bbox'],
                                  grouped['view_crop_bbox'])
    assert plain['view_flip'] == grouped['view_flip']
