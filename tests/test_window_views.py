"""Window mode end to end: the RSPNet configs' pipeline gives the key and its
other-speed negative one crop, colour and flip (the frames they share come
out identical) while the query gets its own window; the recipes' sampling
and augmentation settings."""
import random

import numpy as np
import pytest
import torch
from helpers import write_video
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose
from mmengine import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from ascnet_mm.benchmark.pipelines import crop_path
from ascnet_mm.models.data_preprocessors import SSLDataPreprocessor

RSPNET = 'configs/rspnet/rspnet_r18_k400.py'


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.fixture(scope='module')
def texture_video(tmp_path_factory):
    """40 frames of coarse random texture (8x8-pixel blocks), 48x64."""
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 256, (40, 6, 8, 3), dtype=np.uint8)
    frames = blocks.repeat(8, axis=1).repeat(8, axis=2)
    return write_video(tmp_path_factory.mktemp('v') / 'texture.mp4', frames)


def cpu_steps(config):
    """The config's pipeline on the CPU path (crop and colour in the
    workers), whichever path the config takes."""
    cfg = Config.fromfile(config)
    return crop_path(cfg.train_dataloader.dataset.pipeline, False,
                     cfg.model.data_preprocessor.get('augment'))


def pipeline(config, drop=()):
    return Compose([
        TRANSFORMS.build(t) for t in cpu_steps(config) if t['type'] not in drop
    ])


def shared_frames(results, a, b):
    """(j_a, j_b) pairs of steps at which views a and b show one frame."""
    frames = results['frame_inds'][results['view_frame_map']]
    return [(i, j) for i, fa in enumerate(frames[a])
            for j, fb in enumerate(frames[b]) if fa == fb]


def test_rspnet_key_and_negative_share_one_augmented_window(texture_video):
    transform = pipeline(RSPNET, drop=('PackActionInputs', ))
    query_differs = 0
    for seed in range(12):
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        results = transform(
            dict(
                filename=texture_video,
                start_index=0,
                modality='RGB',
                sample_idx=0))
        imgs = results['imgs']  # (3, 3, T, 112, 112) float, not normalised
        assert imgs.shape == (3, 3, 16, 112, 112)
        np.testing.assert_array_equal(results['view_groups'], [0, 1, 1])
        boxes = [tuple(b) for b in results['view_crop_bbox']]
        assert boxes[1] == boxes[2]
        pairs = shared_frames(results, 1, 2)
        assert len(pairs) >= 8
        for j1, j2 in pairs:
            np.testing.assert_array_equal(imgs[1][:, j1], imgs[2][:, j2])
        query_differs += boxes[0] != boxes[1]
    assert query_differs >= 11


def test_rspnet_window_on_the_device_path(texture_video):
    """Without ViewAugment, SSLDataPreprocessor(augment=...) gets the groups
    from the packed metainfo and keeps the shared frames identical too."""
    cfg = Config.fromfile(RSPNET)
    augment = {
        k: v
        for k, v in cfg.view_augment.to_dict().items() if k != 'type'
    }
    transform = pipeline(RSPNET, drop=('ViewAugment', ))
    np.random.seed(0)
    random.seed(0)
    raw = [
        transform(
            dict(
                filename=texture_video,
                start_index=0,
                modality='RGB',
                sample_idx=i)) for i in range(4)
    ]
    pre = SSLDataPreprocessor(
        mean=cfg.model.data_preprocessor.mean,
        std=cfg.model.data_preprocessor.std,
        augment=augment)
    torch.manual_seed(0)
    out = pre(pseudo_collate(raw), training=True)['inputs']
    sampler = TRANSFORMS.build(cfg.sampler)
    for inputs, sample in zip(out, raw):
        speeds = sample['data_samples'].metainfo['view_speeds']
        np.testing.assert_array_equal(
            sample['data_samples'].metainfo['view_groups'],
            sampler.view_groups)
        slow, fast = (1, 2) if speeds[1] == 1 else (2, 1)
        # same start: the speed-1 view's step 2j is the speed-2 view's step j
        torch.testing.assert_close(
            inputs[slow, :, ::2], inputs[fast, :, :8], rtol=0, atol=0)


def test_recipes_sampling_and_augmentation():
    for path in (RSPNET, 'configs/rspnet/rspnet_s3dg_k400.py',
                 'configs/rspnet/rspnet_r18-w16_synthetic.py'):
        cfg = Config.fromfile(path)
        steps = {t['type']: t for t in cpu_steps(path)}
        sampler = TRANSFORMS.build(steps['RelativeSpeedSampler'])
        assert sampler.view_groups == (0, 1, 1), path
        assert sampler.speed_split == 'half'
        crop = steps['MultiViewTransforms']['transforms'][-2]
        assert crop['area_range'] == (0.4, 1.0)
        aug = steps['ViewAugment']
        assert (aug['jitter_prob'], aug['hue'], aug['grayscale_prob']) == \
            (1.0, 0.4, 0.2)
        assert aug['grayscale_before_jitter']
        assert aug['jitter_order'] == 'random'
        assert 'view_groups' in steps['PackActionInputs']['meta_keys']
        assert cfg.model.key_passes == 2
    s3dg = Config.fromfile('configs/rspnet/rspnet_s3dg_k400.py')
    assert s3dg.views.transforms[-1].scale == (224, 224)
    cvrl = Config.fromfile('configs/cvrl/cvrl_r18_k400.py').view_augment
    assert (cvrl.jitter_order, cvrl.contrast_mean, cvrl.saturation_mode,
            cvrl.blur_padding,
            cvrl.solarize_threshold) == ('random', 'channel', 'hsv', 'zeros',
                                         127.5)
    # per-view independence stays the default elsewhere
    for path in ('configs/ascnet/r18_k400.py',
                 'configs/ascnet/ascnet_r18-w16_synthetic.py',
                 'configs/cvrl/cvrl_r18_k400.py',
                 'configs/cvrl/cvrl_r18-w16_synthetic.py'):
        cfg = Config.fromfile(path)
        sampler = TRANSFORMS.build(cfg.train_dataloader.dataset.pipeline[1])
        assert sampler.view_groups == (0, 1), path
