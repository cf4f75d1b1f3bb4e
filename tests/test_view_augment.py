import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS, TRANSFORMS
from mmaction.structures import ActionDataSample
from mmengine.config import Config

from ascnet_mm.datasets.transforms import ViewAugment
from ascnet_mm.models.augmentation import VideoAugmenter
from ascnet_mm.models.data_preprocessors import SSLDataPreprocessor

OFF = dict(
    flip_prob=0.0,
    jitter_prob=0.0,
    grayscale_prob=0.0,
    blur_prob=0.0,
    solarize_prob=0.0)
# CVRL's Kinetics augmentation, as its config sets it.
CVRL = {
    k: v
    for k, v in Config.fromfile(
        osp.join(
            osp.dirname(__file__), '..', 'configs', 'cvrl',
            'cvrl_r18_k400.py')).view_augment.items() if k != 'type'
}
LUMA = torch.tensor([0.299, 0.587, 0.114])


def only(**kwargs):
    return VideoAugmenter(**{**OFF, **kwargs})


def rand_clips(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(*shape, generator=g) * 255


def changed(out, x):
    """(B, V) bool: whether each view differs from the input."""
    return (out != x).flatten(2).any(-1)


@pytest.mark.parametrize('dtype', [torch.uint8, torch.float32])
@pytest.mark.parametrize('shape', [(1, 1, 3, 1, 8, 8), (3, 2, 3, 4, 12, 10)])
def test_shape_dtype_range(shape, dtype):
    x = rand_clips(*shape).to(dtype)
    out = VideoAugmenter(**CVRL if shape[1] == 2 else {})(x)
    assert out.shape == x.shape and out.dtype == torch.float32
    assert out.min() >= 0 and out.max() <= 255


def test_params_shapes_and_ranges():
    aug = VideoAugmenter(**CVRL)
    p = aug.sample_params(500, 2, 'cpu')
    order = p.pop('order')  # CVRL's jitter runs in a random order
    assert order.shape == (500, 2, 4)
    assert (order.sort(-1).values == torch.arange(4)).all()
    assert all(v.shape == (500, 2) for v in p.values())
    for name in ('flip', 'jitter', 'grayscale', 'blur', 'solarize'):
        assert p[name].dtype == torch.bool
    for name, (lo, hi) in dict(
            brightness=(0.2, 1.8),
            contrast=(0.2, 1.8),
            saturation=(0.2, 1.8),
            hue=(-0.2, 0.2),
            sigma=(0.1, 2.0)).items():
        assert p[name].min() >= lo and p[name].max() <= hi
        assert p[name].max() - p[name].min() > 0.9 * (hi - lo)
    assert p['blur'][:, 0].all() and not p['solarize'][:, 0].any()


def test_temporally_consistent():
    frame = rand_clips(16, 2, 3, 1, 16, 16)
    x = frame.expand(-1, -1, -1, 5, -1, -1).contiguous()
    aug = VideoAugmenter(
        jitter_prob=1.0,
        grayscale_prob=0.3,
        blur_prob=1.0,
        solarize_prob=0.5,
        **{k: CVRL[k]
           for k in ('brightness', 'hue')})
    torch.manual_seed(0)
    out = aug(x)
    assert changed(out, x).all()
    assert torch.equal(out, out[:, :, :, :1].expand_as(out))


def test_views_and_samples_independent():
    clip = rand_clips(1, 1, 3, 2, 8, 8)
    x = clip.expand(64, 2, -1, -1, -1, -1)
    torch.manual_seed(0)
    out = VideoAugmenter()(x)
    views_differ = (out[:, 0] != out[:, 1]).flatten(1).any(1)
    samples_differ = (out[1:, 0] != out[:1, 0]).flatten(1).any(1)
    assert views_differ.float().mean() > 0.9
    assert samples_differ.float().mean() > 0.9


def _flipped(out, x):
    return (out == x.flip(-1)).flatten(2).all(-1)


def _gray(out, x):
    return ((out[:, :, 0] == out[:, :, 1]) &
            (out[:, :, 1] == out[:, :, 2])).flatten(2).all(-1)


@pytest.mark.parametrize('name,probs,detect', [
    ('flip_prob', (0.5, 0.2), _flipped),
    ('jitter_prob', (0.8, 0.3), changed),
    ('grayscale_prob', (0.2, 0.7), _gray),
    ('blur_prob', (1.0, 0.1), changed),
    ('solarize_prob', (0.0, 0.2), changed),
])
def test_per_view_rates(name, probs, detect):
    x = rand_clips(1, 1, 3, 1, 6, 6).expand(2000, 2, -1, -1, -1, -1)
    torch.manual_seed(0)
    hit = detect(only(**{name: probs})(x), x).float().mean(0)
    assert torch.allclose(hit, torch.tensor(probs), atol=0.03), hit


def test_scalar_prob_rate():
    x = rand_clips(1, 1, 3, 1, 6, 6).expand(1000, 3, -1, -1, -1, -1)
    torch.manual_seed(1)
    hit = _gray(only(grayscale_prob=0.2)(x), x).float().mean(0)
    assert torch.allclose(hit, torch.full((3, ), 0.2), atol=0.03), hit


def test_per_view_prob_length_checked():
    with pytest.raises(ValueError, match='blur_prob'):
        VideoAugmenter(blur_prob=(1.0, 0.1))(rand_clips(1, 3, 3, 1, 8, 8))


def _jitter_params(aug, b=1.0, c=1.0, s=1.0, h=0.0, n=2):
    p = aug.sample_params(1, n, 'cpu')
    p['jitter'][:] = True
    for k, v in dict(brightness=b, contrast=c, saturation=s, hue=h).items():
        p[k] = torch.as_tensor(v, dtype=torch.float32).expand(1, n).clone()
    return p


def test_brightness_exact():
    aug = only(
        jitter_prob=1.0, brightness=0.5, contrast=0, saturation=0, hue=0)
    x = rand_clips(1, 2, 3, 2, 5, 5)
    p = _jitter_params(aug, b=[1.25, 0.5])
    out = aug.apply(x, p)
    assert torch.equal(out[:, 0], (x[:, 0] * 1.25).clamp(0, 255))
    assert torch.equal(out[:, 1], x[:, 1] * 0.5)
    assert (out[:, 0] == 255).any()


def test_contrast_and_saturation_factors():
    aug = only(jitter_prob=1.0, hue=0)
    x = rand_clips(1, 1, 3, 2, 5, 5)
    luma = torch.einsum('c,bvcthw->bvthw', LUMA, x)
    no_sat = aug.apply(x, _jitter_params(aug, s=0.0, n=1))
    assert torch.allclose(no_sat, luma[:, :, None].expand_as(x), atol=1e-3)
    no_con = aug.apply(x, _jitter_params(aug, c=0.0, n=1))
    assert torch.allclose(no_con, luma.mean().expand_as(x), atol=1e-3)


def test_hue_rotation():
    aug = only(
        jitter_prob=1.0, brightness=0, contrast=0, saturation=0, hue=0.5)
    x = torch.tensor([[255., 0., 0.], [100., 100., 100.],
                      [200., 50., 80.]]).T.reshape(1, 1, 3, 1, 1, 3)
    x = x.expand(1, 3, -1, -1, -1, -1)
    out = aug.apply(x, _jitter_params(aug, h=[1 / 3, 0.0, 1.0 / 6], n=3))
    assert torch.allclose(
        out[0, 0, :, 0, 0, 0], torch.tensor([0., 255., 0.]), atol=1e-3)
    assert torch.allclose(out[0, :, :, 0, 0, 1], x[0, :, :, 0, 0, 1])
    assert torch.allclose(out[0, 1], x[0, 1], atol=1e-3)
    shifted = out[0, 2, :, 0, 0, 2]
    assert torch.allclose(shifted.amax(), torch.tensor(200.), atol=1e-3)
    assert torch.allclose(shifted.amin(), torch.tensor(50.), atol=1e-3)


def test_grayscale_is_luma():
    x = rand_clips(2, 2, 3, 2, 5, 5)
    out = only(grayscale_prob=1.0)(x)
    luma = torch.einsum('c,bvcthw->bvthw', LUMA, x)
    for c in range(3):
        assert torch.equal(out[:, :, c], out[:, :, 0])
        assert torch.allclose(out[:, :, c], luma, atol=1e-4)


def test_solarize_exact():
    x = torch.tensor([0., 127., 128., 200., 255., 127.9])
    x = x.reshape(1, 1, 1, 1, 1, 6).expand(1, 1, 3, 2, 2, -1)
    out = only(solarize_prob=1.0, solarize_threshold=128)(x)
    want = torch.tensor([0., 127., 127., 55., 0., 127.9])
    assert torch.equal(out, want.expand_as(x))


def test_blur():
    aug = only(blur_prob=1.0, blur_sigma=(1.0, 2.0))
    const = torch.full((4, 2, 3, 2, 16, 16), 77.0)
    assert torch.allclose(aug(const), const, atol=1e-3)
    noise = rand_clips(4, 2, 3, 2, 16, 16)
    out = aug(noise)
    assert (out.flatten(2).var(-1) < 0.5 * noise.flatten(2).var(-1)).all()
    assert torch.allclose(out.mean(), noise.mean(), atol=2.0)
    assert [aug.blur_kernel(s, s) for s in (8, 112, 224)] == [3, 11, 23]
    assert only(blur_kernel_size=5).blur_kernel(224, 224) == 5


def test_generator_reproducible():
    aug = VideoAugmenter(**CVRL)
    x = rand_clips(4, 2, 3, 2, 8, 8)
    outs = [aug(x, torch.Generator().manual_seed(3)) for _ in range(2)]
    assert torch.equal(*outs)


OFFICIAL_OPTIONS = dict(
    jitter_order='random',
    contrast_mean='channel',
    saturation_mode='hsv',
    blur_padding='zeros',
    grayscale_before_jitter=True)


@pytest.mark.parametrize('options', [{}, OFFICIAL_OPTIONS])
def test_no_data_dependent_host_code(options):
    """Meta tensors hold no data: .item() or a data-dependent branch fails."""
    x = torch.empty(2, 2, 3, 4, 16, 16, device='meta')
    aug = VideoAugmenter(**{**CVRL, **options})
    out = aug(x)
    assert out.shape == x.shape and out.device == x.device
    groups = torch.zeros(2, 2, dtype=torch.long, device='meta')
    assert aug(x, groups=groups).shape == x.shape


def test_view_augment_transform():
    t = TRANSFORMS.build(dict(type='ViewAugment', **CVRL))
    assert isinstance(t, ViewAugment)
    imgs = rand_clips(2, 3, 4, 8, 8).to(torch.uint8).numpy()
    out = t(dict(imgs=imgs))['imgs']
    assert out.shape == imgs.shape and out.dtype == np.float32
    assert not np.array_equal(out, imgs.astype(np.float32))


def _batch(num, views=2, seed=0):
    x = rand_clips(num, views, 3, 4, 12, 12, seed=seed).to(torch.uint8)
    return x, dict(
        inputs=list(x), data_samples=[ActionDataSample() for _ in range(num)])


def test_cpu_transform_matches_preprocessor():
    x, data = _batch(3)
    transform = ViewAugment(**CVRL)
    torch.manual_seed(0)
    cpu = [transform(dict(imgs=v.numpy()))['imgs'] for v in x]
    pre = SSLDataPreprocessor(augment=CVRL)
    torch.manual_seed(0)
    out = pre(data, training=True)['inputs']
    assert torch.equal(out, torch.from_numpy(np.stack(cpu)))


@pytest.mark.parametrize('to_rgb', [False, True])
def test_preprocessor_normalises_once(to_rgb):
    mean, std = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
    pre = MODELS.build(
        dict(
            type='SSLDataPreprocessor',
            mean=mean,
            std=std,
            to_rgb=to_rgb,
            augment=CVRL))
    assert isinstance(pre, SSLDataPreprocessor)
    x, data = _batch(2)
    rgb = x[:, :, [2, 1, 0]] if to_rgb else x
    mean, std = (torch.tensor(v).view(3, 1, 1, 1) for v in (mean, std))
    torch.manual_seed(0)
    out = pre(dict(data), training=True)['inputs']
    torch.manual_seed(0)
    want = (pre.augmenter(rgb.float()) - mean) / std
    assert out.shape == x.shape and out.dtype == torch.float32
    assert torch.allclose(out, want, atol=1e-5)
    evaluated = pre(dict(data), training=False)['inputs']
    assert torch.allclose(evaluated, (rgb.float() - mean) / std, atol=1e-5)


def test_preprocessor_single_view_inputs():
    x, data = _batch(2, views=1)
    data['inputs'] = [v[0] for v in x]
    pre = SSLDataPreprocessor(augment=CVRL
                              | dict(blur_prob=1.0, solarize_prob=0.2))
    torch.manual_seed(0)
    out = pre(data, training=True)['inputs']
    torch.manual_seed(0)
    want = pre.augmenter(x.float())[:, 0]
    assert out.shape == (2, 3, 4, 12, 12)
    assert torch.equal(out, want)


def test_preprocessor_without_augment_is_stock():
    x, data = _batch(2)
    out = SSLDataPreprocessor()(data, training=True)['inputs']
    assert torch.equal(out, x.float())


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_statistics_consistency_no_sync():
    x = rand_clips(1, 1, 3, 1, 6, 6).expand(2000, 2, -1, -1, -1, -1).cuda()
    torch.manual_seed(0)
    out = only(blur_prob=(1.0, 0.1), grayscale_prob=(0.2, 0.7))(x)
    assert out.device == x.device
    gray = _gray(out, x).float().mean(0).cpu()
    assert torch.allclose(gray, torch.tensor([0.2, 0.7]), atol=0.03)
    frames = x[:8, :, :, :1].expand(-1, -1, -1, 4, -1, -1)
    aug = VideoAugmenter(**CVRL)
    aug(frames)
    torch.cuda.set_sync_debug_mode('error')
    try:
        out = aug(frames)
    finally:
        torch.cuda.set_sync_debug_mode('default')
    assert torch.equal(out, out[:, :, :, :1].expand_as(out))


# ------------------------------------------------------------- window mode
def test_groups_share_parameters_and_arange_changes_nothing():
    aug = VideoAugmenter(**CVRL | dict(blur_prob=1.0, solarize_prob=0.3))
    p = aug.sample_params(500, 3, groups=torch.tensor([0, 1, 1]))
    for name, v in p.items():
        if name != 'group':
            assert torch.equal(v[:, 1], v[:, 2]), name
    assert (p['brightness'][:, 0] != p['brightness'][:, 1]).all()
    x = rand_clips(4, 3, 3, 2, 8, 8)
    torch.manual_seed(0)
    plain = aug(x)
    torch.manual_seed(0)
    assert torch.equal(aug(x, groups=torch.arange(3)), plain)


def test_views_of_a_group_keep_their_shared_frames_identical():
    """A view at speed 1 and one at speed 2 from one window share every
    second frame; with one parameter set per group (and the contrast mean
    over the group) those frames come out identical."""
    window = rand_clips(8, 1, 3, 8, 10, 10)
    x = torch.cat([
        rand_clips(8, 1, 3, 4, 10, 10, seed=1), window[:, :, :, :4],
        window[:, :, :, ::2]
    ], 1)
    aug = VideoAugmenter(
        jitter_prob=1.0,
        hue=0.4,
        grayscale_prob=0.5,
        blur_prob=0.5,
        solarize_prob=0.5,
        jitter_order='random')
    out = aug(x, groups=torch.tensor([0, 1, 1]))
    assert torch.allclose(
        out[:, 1, :, ::2], out[:, 2, :, :2], rtol=0, atol=1e-4)
    independent = aug(x)
    assert (independent[:, 1, :, ::2] - independent[:, 2, :, :2]).abs().amax(
        (1, 2, 3, 4)).gt(1).float().mean() > 0.8


def test_grayscale_before_jitter():
    red = torch.tensor([255., 0., 0.]).reshape(1, 1, 3, 1, 1, 1)
    kw = dict(grayscale_prob=1.0, jitter_prob=1.0, hue=0.5)
    for first, want in ((True, 0.299 * 255), (False, 0.587 * 255)):
        aug = only(grayscale_before_jitter=first, **kw)
        p = _jitter_params(aug, h=1 / 3, n=1)
        p['grayscale'][:] = True
        out = aug.apply(red, p)
        assert torch.allclose(out, torch.full_like(out, want), atol=1e-3)


def _run_in_order(x, p, order):
    from ascnet_mm.models.augmentation.functional import (adjust_hsv, blend,
                                                          clip_mean, luma)
    ops = [
        lambda y: (y * p['brightness'][0, 0]).clamp(0, 255),
        lambda y: blend(y, clip_mean(y), p['contrast'][0]),
        lambda y: blend(y, luma(y), p['saturation'][0]),
        lambda y: adjust_hsv(y, hue_shift=p['hue'][0]),
    ]
    y = x[0]
    for k in order:
        y = ops[k](y)
    return y


def test_random_jitter_order_runs_ops_in_the_drawn_order():
    aug = only(jitter_prob=1.0, hue=0.3, jitter_order='random')
    p = aug.sample_params(4000, 1)
    orders = {tuple(o) for o in p['order'][:, 0].tolist()}
    assert len(orders) == 24
    counts = torch.bincount(p['order'][:, 0, 0], minlength=4) / 4000
    assert torch.allclose(counts, torch.full((4, ), 0.25), atol=0.03)
    x = rand_clips(1, 1, 3, 2, 6, 6)
    p = _jitter_params(aug, b=1.3, c=0.5, s=1.7, h=0.2, n=1)
    for order in ((0, 1, 2, 3), (3, 1, 0, 2), (1, 0, 3, 2)):
        p['order'] = torch.tensor([[order]])
        want = _run_in_order(x, p, order)
        assert torch.allclose(aug.apply(x, p)[0], want, atol=1e-3)
    fixed = only(jitter_prob=1.0, hue=0.3)
    p['order'] = torch.tensor([[(0, 1, 2, 3)]])
    assert torch.allclose(
        aug.apply(x, p),
        fixed.apply(x, {
            k: v
            for k, v in p.items() if k != 'order'
        }),
        atol=1e-4)


def test_contrast_against_each_channel_mean():
    x = rand_clips(1, 1, 3, 3, 5, 5)
    aug = only(jitter_prob=1.0, hue=0, contrast_mean='channel')
    out = aug.apply(x, _jitter_params(aug, c=0.0, n=1))
    assert torch.allclose(
        out, x.mean((3, 4, 5), keepdim=True).expand_as(x), atol=1e-3)
    half = aug.apply(x, _jitter_params(aug, c=0.5, n=1))
    mean = x.mean((3, 4, 5), keepdim=True)
    assert torch.allclose(half, 0.5 * x + 0.5 * mean, atol=1e-3)


def test_hsv_saturation():
    x = torch.tensor([[200., 100., 100.], [40., 80., 20.]]).T
    x = x.reshape(1, 1, 3, 1, 1, 2)
    aug = only(jitter_prob=1.0, hue=0, saturation_mode='hsv')
    gray = aug.apply(x, _jitter_params(aug, s=0.0, n=1))
    assert torch.allclose(gray, x.amax(2, keepdim=True).expand_as(x))
    double = aug.apply(x, _jitter_params(aug, s=2.0, n=1))
    # S 0.5 -> 1 and 0.75 -> 1 (clamped): the smallest channel drops to 0,
    # the middle one keeps its place between min and max (hue kept)
    assert torch.allclose(double[0, 0, :, 0, 0, 0],
                          torch.tensor([200., 0., 0.]))
    assert torch.allclose(
        double[0, 0, :, 0, 0, 1], torch.tensor([80 / 3, 80., 0.]), atol=1e-4)


def test_blur_zero_padding_darkens_the_border():
    const = torch.full((1, 1, 3, 1, 16, 16), 100.0)
    zeros = only(blur_prob=1.0, blur_sigma=(2.0, 2.0), blur_padding='zeros')
    out = zeros(const)
    assert torch.allclose(out[..., 8, 8], const[..., 8, 8], atol=1e-3)
    assert (out[..., 0, 0] < 50).all() and (out[..., 0, 8] < 80).all()
    reflect = only(blur_prob=1.0, blur_sigma=(2.0, 2.0))
    assert torch.allclose(reflect(const), const, atol=1e-3)


def test_option_values_checked():
    for name in ('jitter_order', 'contrast_mean', 'saturation_mode',
                 'blur_padding'):
        with pytest.raises(ValueError, match=name):
            VideoAugmenter(**{name: 'nope'})


def test_groups_reach_both_paths_and_they_agree():
    x, data = _batch(3, views=3)
    groups = np.array([0, 1, 1])
    for sample in data['data_samples']:
        sample.set_metainfo(dict(view_groups=groups))
    kw = dict(CVRL, blur_prob=0.5, solarize_prob=0.2, jitter_order='random')
    transform = ViewAugment(**kw)
    torch.manual_seed(0)
    cpu = [
        transform(dict(imgs=v.numpy(), view_groups=groups))['imgs'] for v in x
    ]
    pre = SSLDataPreprocessor(augment=kw)
    torch.manual_seed(0)
    out = pre(data, training=True)['inputs']
    assert torch.equal(out, torch.from_numpy(np.stack(cpu)))
    torch.manual_seed(0)
    want = pre.augmenter(x.float(), groups=torch.from_numpy(groups))
    assert torch.equal(out, want)
