"""Synthetic motion videos, part 2: rendering a spec to frames.

Encoding is single-threaded elsewhere (``ascnet_mm.video_io.encode_h264``),
so a spec gives the same decoded frames on every run.
"""
import math

import cv2
import numpy as np

from .specs import _SCENE_KEY, BACKGROUND_VALUE, _stream, _unit

__all__ = ['object_poses', 'render_video']


def object_poses(obj, num_frames, size):
    """Per-frame pose of an object spec.

    A wrapping object's centre is not reduced modulo the frame here (the
    renderer draws it, and its copies, at the centre modulo ``size``).

    Returns:
        tuple: centre (T, 2) float64 pixels (x, y), angle (T,) degrees
        counter-clockwise on screen, scale (T,).
    """
    t = np.arange(num_frames, dtype=np.float64)
    centre = np.asarray(obj['start']) + np.outer(t, obj['velocity'])
    if obj['period']:
        centre += np.outer(
            np.sin(2 * math.pi * t / obj['period'] + obj['phase']),
            obj['amplitude'])
    if obj['bounce']:
        span = size - 1
        centre = np.mod(centre, 2 * span)
        centre = np.where(centre > span, 2 * span - centre, centre)
    angle = obj['angle0'] + obj['spin'] * t
    log_scale = obj['log_scale0'] + obj['zoom'] * t
    cycle = obj['zoom_cycle']
    if cycle:
        log_scale = np.mod(log_scale + cycle / 2, cycle) - cycle / 2
    return centre, angle, np.exp(log_scale)


def _colours(rng, n, sat, val):
    """``n`` RGB colours in [0, 1] with spread-out hues."""
    hue = (rng.uniform() + np.arange(n) / n + rng.uniform(-0.1, 0.1, n)) % 1.0
    hsv = np.stack(
        [hue * 180,
         rng.uniform(*sat, n) * 255,
         rng.uniform(*val, n) * 255], -1).astype(np.uint8)
    return cv2.cvtColor(hsv[None], cv2.COLOR_HSV2RGB)[0] / np.float32(255)


def _noise(rng, cells, side):
    """(side, side) smooth noise in [0, 1] from a (cells, cells) grid."""
    grid = rng.uniform(size=(cells, cells)).astype(np.float32)
    return cv2.resize(grid, (side, side), interpolation=cv2.INTER_CUBIC)


def _stripes(rng, side, period):
    y, x = np.mgrid[:side, :side].astype(np.float32)
    a = rng.uniform(0, math.pi)
    return 0.5 + 0.5 * np.sin(2 * math.pi *
                              (x * math.cos(a) + y * math.sin(a)) / period +
                              rng.uniform(0, 2 * math.pi))


def _mix(weight, c0, c1):
    w = weight[..., None]
    return (c0 * (1 - w) + c1 * w).astype(np.float32)


def _background(rng,
                kind,
                side,
                size,
                value=BACKGROUND_VALUE,
                pattern_rng=None):
    """(side, side, 3) float32 texture in [0, 1]: a two-colour pattern of
    ``kind`` drawn from ``pattern_rng`` (default ``rng``), colours of HSV
    value in ``value`` and fine noise drawn from ``rng``."""
    c0, c1 = _colours(rng, 2, (0.0, 0.5), value)
    prng = rng if pattern_rng is None else pattern_rng
    if kind == 'blobs':
        w = _noise(prng, int(prng.integers(3, 9)), side)
    elif kind == 'gradient':
        y, x = np.mgrid[:side, :side].astype(np.float32) / side
        a = prng.uniform(0, 2 * math.pi)
        w = x * math.cos(a) + y * math.sin(a)
        w = (w - w.min()) / (w.max() - w.min())
    else:
        w = _stripes(prng, side, size * prng.uniform(1 / 8, 1 / 3))
    fine = rng.normal(0, 0.05, (side // 2 + 1, side // 2 + 1, 3))
    fine = cv2.resize(fine.astype(np.float32), (side, side))
    return np.clip(_mix(np.clip(w, 0, 1), c0, c1) + fine, 0, 1)


def _sprite(rng, shape, texture, radius):
    """(S, S, 4) float32 sprite at twice ``radius``: RGB * alpha, alpha."""
    r = 2 * radius
    side = 2 * int(math.ceil(r)) + 5
    c = (side - 1) / 2
    mask = np.zeros((side, side), np.uint8)
    sub = 16

    def pt(px, py):
        return int(round(px * sub)), int(round(py * sub))

    if shape in ('disc', 'ring'):
        cv2.circle(mask, pt(c, c), int(round(0.9 * r * sub)), 255, -1,
                   cv2.LINE_AA, 4)
        if shape == 'ring':
            cv2.circle(mask, pt(c, c), int(round(0.5 * r * sub)), 0, -1,
                       cv2.LINE_AA, 4)
    else:
        n = 4 if shape == 'square' else 3
        a = np.arange(n) * 2 * math.pi / n
        pts = np.stack([c + r * np.cos(a), c + r * np.sin(a)], -1)
        cv2.fillPoly(mask, [np.round(pts * sub).astype(np.int32)], 255,
                     cv2.LINE_AA, 4)
    c0, c1 = _colours(rng, 2, (0.6, 1.0), (0.7, 1.0))
    if texture == 'stripes':
        w = _stripes(rng, side, r * rng.uniform(0.4, 0.9))
    elif texture in ('checker', 'dots'):
        period = r * rng.uniform(0.5, 0.8)
        y, x = (np.mgrid[:side, :side].astype(np.float32) - c) / period
        w = np.sin(math.pi * x) * np.sin(math.pi * y)
        w = w * 8 if texture == 'checker' else (np.abs(w) - 0.6) * 8
    elif texture == 'rings':  # off-centre, so that a turn shows
        y, x = np.mgrid[:side, :side].astype(np.float32) - c
        x0, y0 = _unit(rng) * r * 0.5
        w = 0.5 + 0.5 * np.sin(2 * math.pi * np.hypot(x - x0, y - y0) /
                               (r * rng.uniform(0.3, 0.5)))
    else:
        w = _noise(rng, int(rng.integers(3, 6)), side)
        w = (w - w.min()) / max(float(w.max() - w.min()), 1e-6)
    w = np.clip((w - 0.5) * 4 + 0.5, 0, 1)
    alpha = mask.astype(np.float32)[..., None] / 255
    return np.concatenate([_mix(w, c0, c1) * alpha, alpha], -1)


def _place(sprite, centre, angle, scale, size, wrap=False):
    """Warp a sprite to a (size, size, 4) layer at the given pose; with
    ``wrap`` the frame is a torus (copies one frame-side away are drawn)."""
    c = (sprite.shape[0] - 1) / 2
    m = cv2.getRotationMatrix2D((c, c), float(angle), float(scale) / 2)
    centres = [np.asarray(centre, np.float64)]
    if wrap:
        reach = c * scale / 2 + 1
        base = np.mod(centres[0], size)
        shifts = [[
            d for d in (-size, 0, size) if -reach < base[k] + d < size + reach
        ] for k in (0, 1)]
        centres = [base + (dx, dy) for dx in shifts[0] for dy in shifts[1]]
    layer = 0
    for x, y in centres:
        mm = m.copy()
        mm[:, 2] += (x - c, y - c)
        layer = layer + cv2.warpAffine(
            sprite,
            mm, (size, size),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0)
    return layer


def render_video(spec, return_mask=False):
    """Render a spec.

    Returns:
        np.ndarray: frames (T, H, W, 3) uint8 RGB, and with ``return_mask``
        also the main object's alpha (T, H, W) float32 in [0, 1] (it is drawn
        on top, so this is also its visible area).
    """
    rng = np.random.default_rng(spec['texture_seed'])
    size, num_frames = spec['size'], spec['num_frames']
    background = spec['background']
    drift = np.asarray(background['drift'])
    margin = int(math.ceil(np.abs(drift).max() * (num_frames - 1))) + 1
    scene = background.get('scene')
    canvas = _background(rng, background['kind'], size + 2 * margin, size,
                         background.get('value', BACKGROUND_VALUE),
                         None if scene is None else _stream(scene, _SCENE_KEY))
    objects = spec['distractors'] + [spec['object']]
    sprites = [
        _sprite(rng, o['shape'], o['texture'], o['radius']) for o in objects
    ]
    poses = [object_poses(o, num_frames, size) for o in objects]
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    masks = np.empty((num_frames, size, size), np.float32)
    for t in range(num_frames):
        shift = drift * t - margin
        m = np.float64([[1, 0, shift[0]], [0, 1, shift[1]]])
        img = cv2.warpAffine(
            canvas,
            m, (size, size),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT_101)
        for obj, sprite, (centre, angle, scale) in zip(objects, sprites,
                                                       poses):
            layer = _place(sprite, centre[t], angle[t], scale[t], size,
                           obj['wrap'])
            alpha = layer[..., 3:]
            img = img * (1 - alpha) + layer[..., :3]
        frames[t] = np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)
        masks[t] = alpha[..., 0]
    return (frames, masks) if return_mask else frames
