"""Device-side crop: DeviceCropViews draws the boxes the CPU path draws,
SSLDataPreprocessor cuts them (one grid_sample) close to what cv2 cuts, and
the Kinetics configs run on it."""
import random
import shutil

import cv2
import numpy as np
import pytest
import torch
from helpers import derived_config, synthetic_options, train_tool
from mmaction.registry import TRANSFORMS
from mmengine import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from ascnet_mm.benchmark.pipelines import crop_path
from ascnet_mm.benchmark.train_step import paper_size
from ascnet_mm.datasets.transforms import (DEVICE_CROP_KEYS, DeviceCropViews,
                                           MultiViewTransforms)
from ascnet_mm.models.augmentation import cut_views, pad_frames
from ascnet_mm.models.data_preprocessors import SSLDataPreprocessor

SHORT_SIDE = dict(type='Resize', scale=(-1, 128))
RESIZE = dict(type='Resize', scale=(112, 112), keep_ratio=False)


def steps(area=(0.2, 1.0), aspect=(3 / 4, 4 / 3), short_side=True):
    crop = dict(
        type='RandomResizedCrop', area_range=area, aspect_ratio_range=aspect)
    return [SHORT_SIDE] * short_side + [crop, RESIZE]


def seed(value):
    np.random.seed(value)
    random.seed(value)
    torch.manual_seed(value)


def smooth_frames(num, height, width, seed=0):
    """(num, H, W, 3) uint8: random 16-pixel blocks, bicubically smoothed."""
    rng = np.random.default_rng(seed)
    small = rng.integers(
        0, 256, (num, height // 16, width // 16, 3), dtype=np.uint8)
    return np.stack([
        cv2.resize(f, (width, height), interpolation=cv2.INTER_CUBIC)
        for f in small
    ])


def results(frames, frame_map, groups=None):
    out = dict(
        imgs=list(frames),
        img_shape=frames.shape[1:3],
        modality='RGB',
        view_frame_map=np.asarray(frame_map))
    if groups is not None:
        out['view_groups'] = np.asarray(groups)
    return out


def device_views(out):
    """(V, 3, T, h, w) views cut from DeviceCropViews' output."""
    views = cut_views(
        pad_frames([torch.from_numpy(out['imgs'])]),
        torch.from_numpy(out['view_frames'])[None],
        torch.from_numpy(out['view_boxes'])[None], out['crop_size'])
    return views[0].numpy()


def cpu_views(out):
    """(V, 3, T, h, w) views of MultiViewTransforms' output."""
    v, t = out['num_clips'], out['clip_len']
    imgs = np.stack(out['imgs']).astype(np.float32)
    return imgs.reshape(v, t, *imgs.shape[1:]).transpose(0, 4, 1, 2, 3)


@pytest.mark.parametrize('groups', [None, (0, 1, 1)])
@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(area=(0.3, 1.0), aspect=(0.5, 2.0)),
    dict(area=(0.4, 1.0), short_side=False),
])
def test_same_seed_same_boxes_as_the_cpu_path(kwargs, groups):
    """One RNG call sequence: the boxes are the CPU path's, scaled back from
    the short-side-resized geometry to the decoded frames."""
    frames = np.zeros((3, 200, 300, 3), np.uint8)
    frame_map = [[0, 1], [1, 2], [0, 2]]
    device, cpu = DeviceCropViews(steps(
        **kwargs)), MultiViewTransforms(steps(**kwargs))
    scale = (300 / 192, 200 / 128) * 2 if 'short_side' not in kwargs else 1
    for value in range(20):
        seed(value)
        out = device(results(frames, frame_map, groups))
        seed(value)
        want = np.stack(
            cpu(results(frames, frame_map, groups))['view_crop_bbox'])
        np.testing.assert_allclose(out['view_boxes'], want * scale, rtol=1e-6)
    assert out['imgs'].shape == (3, 200, 300, 3)
    assert out['imgs'].dtype == np.uint8
    assert out['crop_size'] == (112, 112)
    np.testing.assert_array_equal(out['view_frames'], frame_map)
    if groups is not None:
        np.testing.assert_array_equal(out['view_boxes'][1],
                                      out['view_boxes'][2])


def box_stats(boxes, height, width):
    """Area fraction, log aspect ratio, centre x and y (fractions)."""
    x1, y1, x2, y2 = np.asarray(boxes, np.float64).T
    return dict(
        area=(x2 - x1) * (y2 - y1) / (height * width),
        log_aspect=np.log((x2 - x1) / (y2 - y1)),
        cx=(x1 + x2) / (2 * width),
        cy=(y1 + y2) / (2 * height))


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(area=(0.3, 1.0), aspect=(0.5, 2.0)),
])
def test_crop_statistics_match_the_cpu_path(kwargs):
    """Over 1,500 independent draws each (other seeds), area fraction,
    aspect ratio and centre position have the same histograms."""
    frame = np.zeros((1, 256, 340, 3), np.uint8)
    device, cpu = DeviceCropViews(steps(
        **kwargs)), MultiViewTransforms(steps(**kwargs))
    seed(0)
    got = [device(results(frame, [[0]]))['view_boxes'][0] for _ in range(1500)]
    seed(1)
    want = [
        cpu(results(frame, [[0]]))['view_crop_bbox'][0] for _ in range(1500)
    ]
    got, want = box_stats(got, 256, 340), box_stats(want, 128, 170)
    edges = dict(
        area=np.linspace(0.2, 1, 9),
        log_aspect=np.linspace(-0.7, 0.7, 9),
        cx=np.linspace(0, 1, 9),
        cy=np.linspace(0, 1, 9))
    for name, bins in edges.items():
        h_got = np.histogram(got[name], bins)[0] / 1500
        h_want = np.histogram(want[name], bins)[0] / 1500
        # 4 standard errors of a difference of two bin frequencies (<= 0.125)
        assert np.abs(h_got - h_want).max() < 0.05, (name, h_got, h_want)
        stderr = np.sqrt((got[name].var() + want[name].var()) / 1500)
        assert abs(got[name].mean() - want[name].mean()) < 4 * stderr, name


def test_cut_of_a_ramp_is_hand_computable():
    """R = x, G = y, B = 10 * frame: bilinear sampling of a linear ramp gives
    the sample positions, box + (j + 0.5) * box / size - 0.5, clamped to the
    box's edge pixels as cv2 resizes the cut box."""
    u, h, w = 3, 40, 64
    y, x = np.mgrid[:h, :w].astype(np.float32)
    frames = np.stack(
        [np.stack([x, y, np.full_like(x, 10 * i)], -1) for i in range(u)])
    frames = torch.from_numpy(frames).to(torch.uint8)
    frame_map = torch.tensor([[[2, 0], [1, 1]]])
    boxes = torch.tensor([[[10., 20., 42., 36.], [4., 4., 8., 8.]]])
    out = cut_views(pad_frames([frames]), frame_map, boxes, (8, 16))[0]
    assert out.shape == (2, 3, 2, 8, 16)
    # view 0, downscaled 2x: x = 10.5 + 2j, y = 20.5 + 2i
    torch.testing.assert_close(out[0, 0, 0, 0], 10.5 + 2 * torch.arange(16.))
    torch.testing.assert_close(out[0, 1, 0, :, 0], 20.5 + 2 * torch.arange(8.))
    torch.testing.assert_close(out[0, 2, :, 0, 0], torch.tensor([20., 0.]))
    # view 1, upscaled: x = 3.625 + j / 4 within [4, 7], y = 3.75 + i / 2
    xs = (3.625 + torch.arange(16.) / 4).clamp(4, 7)
    torch.testing.assert_close(out[1, 0, 1, 3], xs)
    torch.testing.assert_close(out[1, 1, 1, :, 5],
                               (3.75 + torch.arange(8.) / 2).clamp(4, 7))
    torch.testing.assert_close(out[1, 2], torch.full((2, 8, 16), 10.))
    # cv2's resize of the cut box, as the CPU path does: the same on float
    # frames; on uint8 ones (the CPU path) within cv2's fixed-point rounding
    crop = frames[1, 4:8, 4:8].numpy()
    got = out[1, :, 0].permute(1, 2, 0)
    for dtype, atol in ((np.float32, 1e-5), (np.uint8, 1.0)):
        want = cv2.resize(crop.astype(dtype), (16, 8))
        torch.testing.assert_close(
            got, torch.from_numpy(want).float(), atol=atol, rtol=0)


@pytest.mark.parametrize('size,tol', [((128, 170), (0.4, 1.0)),
                                      ((256, 340), (1.0, 16.0))])
def test_views_close_to_the_cpu_path(size, tol):
    """Same seed, same box: prepared frames (short side 128, no resize on
    the CPU path) differ by cv2's uint8 rounding (measured: mean 0.26, max
    0.76 levels); 256-pixel originals (the CPU path resamples twice, the
    device once) by mean 0.65, max 9.7 levels."""
    frames = smooth_frames(4, *size)
    frame_map = [[0, 1, 2], [1, 2, 3]]
    device, cpu = DeviceCropViews(steps()), MultiViewTransforms(steps())
    errors = []
    for value in range(10):
        seed(value)
        got = device_views(device(results(frames, frame_map)))
        seed(value)
        want = cpu_views(cpu(results(frames, frame_map)))
        errors.append(np.abs(got - want))
    assert np.mean(errors) < tol[0] and np.max(errors) < tol[1]


def test_steps_checked():
    with pytest.raises(ValueError, match='takes \\[Resize'):
        DeviceCropViews([dict(type='CenterCrop', crop_size=112), RESIZE])
    with pytest.raises(ValueError, match='short side'):
        DeviceCropViews([dict(type='Resize', scale=(128, 128))] + steps()[1:])
    with pytest.raises(ValueError, match='takes \\[Resize'):
        DeviceCropViews(steps()[:2])
    with pytest.raises(ValueError, match='bilinearly'):
        DeviceCropViews(steps()[:2] + [dict(RESIZE, interpolation='bicubic')])
    assert TRANSFORMS.build(dict(type='DeviceCropViews',
                                 transforms=steps())).short_side == 128
    built = DeviceCropViews([TRANSFORMS.build(t) for t in steps()])
    assert (built.short_side, built.crop_size) == (128, (112, 112))


def packed(frames, frame_map, groups, size=112):
    crop = steps()[:-1] + [dict(RESIZE, scale=(size, size))]
    with DefaultScope.overwrite_default_scope('mmaction'):
        pipeline = [
            TRANSFORMS.build(dict(type='DeviceCropViews', transforms=crop)),
            TRANSFORMS.build(
                dict(
                    type='PackActionInputs',
                    meta_keys=('view_groups', ) + DEVICE_CROP_KEYS))
        ]
    out = results(frames, frame_map, groups)
    for t in pipeline:
        out = t(out)
    return out


def test_preprocessor_cuts_a_batch_of_different_sizes():
    """Samples of different U, H and W: each cut as on its own."""
    seed(0)
    raw = [
        packed(smooth_frames(3, 128, 170), [[0, 1], [1, 2]], None),
        packed(smooth_frames(2, 144, 128, seed=1), [[0, 1], [0, 1]], None)
    ]
    batch = pseudo_collate(raw)
    assert batch['inputs'][0].shape == (3, 128, 170, 3)
    pre = SSLDataPreprocessor(mean=[100.] * 3, std=[50.] * 3, to_rgb=True)
    out = pre(batch, training=True)['inputs']
    assert out.shape == (2, 2, 3, 2, 112, 112)
    for inputs, sample in zip(out, raw):
        meta = sample['data_samples'].metainfo
        alone = cut_views(
            pad_frames([sample['inputs']]),
            torch.from_numpy(meta['view_frames'])[None],
            torch.from_numpy(meta['view_boxes'])[None], (112, 112))[0]
        torch.testing.assert_close(inputs, (alone.flip(1) - 100) / 50)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_cut_matches_the_cpu_cut_without_a_host_sync():
    seed(0)
    raw = [
        packed(smooth_frames(3, 128, 170), [[0, 1], [1, 2]], (0, 1)),
        packed(smooth_frames(2, 144, 128, seed=1), [[0, 1], [0, 1]], (0, 1))
    ]
    pre = SSLDataPreprocessor(mean=[100.] * 3, std=[50.] * 3)
    want = pre(pseudo_collate(raw), training=True)['inputs']
    batch = pseudo_collate(raw)
    batch['inputs'] = [x.cuda() for x in batch['inputs']]
    pre = pre.cuda()
    pre(batch, training=True)  # warm-up
    torch.cuda.set_sync_debug_mode('error')
    try:
        out = pre(batch, training=True)['inputs']
    finally:
        torch.cuda.set_sync_debug_mode('default')
    torch.testing.assert_close(out.cpu(), want, atol=1e-3, rtol=0)


def test_window_mode_and_per_view_crops_on_the_device():
    """RSPNet's groups (0, 1, 1) share box, flip and colour, so the frames
    the key and its other-speed view share come out identical; CVRL's views
    get their own boxes; every view is flipped at rate 0.5."""
    cfg = Config.fromfile('configs/rspnet/rspnet_r18_k400.py')
    pre = SSLDataPreprocessor(augment=cfg.model.data_preprocessor.augment)
    frames = smooth_frames(24, 64, 80)
    seed(0)
    # the key (view 1) at speed 1 from frame 0, view 2 at speed 2 from 0
    frame_map = [np.arange(8) + 12, np.arange(8), np.arange(0, 16, 2)]
    raw = [packed(frames, frame_map, (0, 1, 1), size=32) for _ in range(16)]
    out = pre(pseudo_collate(raw), training=True)['inputs']
    torch.testing.assert_close(out[:, 1, :, ::2], out[:, 2, :, :4])
    boxes = np.stack([r['data_samples'].metainfo['view_boxes'] for r in raw])
    assert (boxes[:, 1] == boxes[:, 2]).all()
    assert (boxes[:, 0] != boxes[:, 1]).any(-1).all()
    # flips alone: a flipped view equals the unflipped cut, mirrored
    flip = SSLDataPreprocessor(
        augment=dict(flip_prob=0.5, jitter_prob=0.0, grayscale_prob=0.0))
    plain = SSLDataPreprocessor()
    raw = [packed(frames[:2], [[0], [1]], None, size=16) for _ in range(300)]
    batch = pseudo_collate(raw)
    cut = plain(batch, training=True)['inputs']
    seed(0)
    flipped = flip(batch, training=True)['inputs']

    def same(a, b):  # up to the clamp to [0, 255] of the augmenter
        return ((a - b).abs() < 1e-3).flatten(2).all(-1)

    mirrored = same(flipped, cut.flip(-1))
    assert (same(flipped, cut) ^ mirrored).all()
    assert abs(mirrored.float().mean() - 0.5) < 0.06  # 600 views: 3 sigma


KINETICS = [
    'configs/ascnet/r18_k400.py', 'configs/ascnet/ascnet_s3dg_k400.py',
    'configs/ascnet/ascnet_r18_k400_speeds1248.py',
    'configs/rspnet/rspnet_r18_k400.py', 'configs/rspnet/rspnet_s3dg_k400.py',
    'configs/cvrl/cvrl_r18_k400.py', 'configs/cvrl/cvrl_s3dg_k400.py'
]


@pytest.mark.parametrize('path', KINETICS)
def test_kinetics_configs_crop_and_colour_on_the_device(path):
    cfg = Config.fromfile(path)
    types = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert cfg.device_crop and types[3:] == [
        'DeviceCropViews', 'PackActionInputs'
    ]
    assert set(DEVICE_CROP_KEYS) <= set(
        cfg.train_dataloader.dataset.pipeline[-1].meta_keys)
    assert cfg.model.data_preprocessor.augment == cfg.view_augment
    # the training benchmark reads the crop size off the views' steps
    crop = cfg.train_dataloader.dataset.pipeline[3].transforms[-1].scale
    assert paper_size(cfg)['crop_size'] == crop[0]
    synthetic = Config.fromfile('configs/ascnet/ascnet_r18-w16_synthetic.py')
    assert not synthetic.device_crop


def test_device_crop_false_in_the_base_gives_the_cpu_path(tmp_path):
    """One line switches every Kinetics config back to crop and colour in
    the workers."""
    shutil.copytree('configs', tmp_path / 'configs')
    base = tmp_path / 'configs/_base_/datasets/kinetics400_pretrain.py'
    text = base.read_text()
    assert text.count('device_crop = True') == 1
    base.write_text(text.replace('device_crop = True', 'device_crop = False'))
    for path in KINETICS:
        device, cpu = Config.fromfile(path), Config.fromfile(
            str(tmp_path / path))
        assert cpu.model.data_preprocessor.get('augment') is None
        want = crop_path(device.train_dataloader.dataset.pipeline, False,
                         device.model.data_preprocessor.augment)
        got = [t.to_dict() for t in cpu.train_dataloader.dataset.pipeline]
        assert got == want, path


@pytest.mark.slow
def test_synthetic_config_trains_on_the_device_crop(tiny_synthetic, tmp_path):
    """tools/train.py, one epoch (2 iterations of 4 of the 10 pretraining
    videos), the CPU as the device."""
    config = derived_config(
        tmp_path / 'device_crop.py',
        'configs/ascnet/ascnet_r18-w16_synthetic.py',
        "views = dict(_base_.views, type='DeviceCropViews')\n"
        'train_dataloader = dict(dataset=dict(pipeline=[_base_.init,\n'
        '    _base_.sampler, _base_.decode, views, _base_.pack]))\n'
        'model = dict(data_preprocessor=dict(augment=_base_.view_augment))\n')
    rc, log = train_tool(
        config,
        str(tmp_path / 'work'),
        options=synthetic_options(tiny_synthetic, 1, batch_size=4))
    assert rc == 0, log[-3000:]
    assert 'Epoch(train) [1][2/2]' in log and 'loss_acp' in log
