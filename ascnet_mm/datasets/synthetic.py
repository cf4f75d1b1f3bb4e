"""Synthetic motion videos: textured objects whose class is their motion.

Each video shows one main object (the *actor*: a disc, square, triangle or
ring with a stripe, blob, checker, ring or dot texture) over a textured
background that may drift slowly, and up to two smaller distractors that
wander and bounce off the borders. The label is the actor's motion (one of
``MOTIONS``). Motions are plain in an 8-frame clip at half resolution: a
moving actor travels 2 px per frame (at 64 px and speed 1) and wraps around
the frame, a turning one turns 8 degrees per frame, a zoom is a sawtooth.

As actions in real datasets go with their objects, each class has its own
actor (:func:`class_actor`) with probability ``actor_bias`` (default 1);
speed, length, colours, size, position, background and distractors are drawn
independently of the label, and with ``actor_bias=0`` the actor is too.
As they also go with their scenes, ``scene_bias`` (default 0) is the
probability that a video is set in its class's *scene*
(:func:`class_scene`): a background pattern fixed per class (the same for
every seed) under the video's own colours. ``background_value`` is the range
of the HSV value of the background colours; its default (0.15, 0.6) lets
brightness alone tell many videos apart. ``max_distractors`` (default 2)
caps the distractors a video gets; 0 leaves the actor alone on its
background.

Video ``i`` of seed ``s`` is drawn from ``np.random.default_rng([s, i])``; the
label plan and the split use their own streams of ``s``. Encoding is
single-threaded, so a seed gives the same decoded frames on every run.

Layout written by :func:`generate` (lists are relative to ``OUT/videos``)::

    OUT/videos/vid_00000.mp4 ...   H.264, yuv420p
    OUT/train.txt, OUT/val.txt     "vid_00000.mp4 LABEL"
    OUT/pretrain.txt               "vid_00000.mp4" (the train videos, no label)
    OUT/classes.txt                one class name per line, line k is label k
    OUT/meta.json                  settings and every video's spec
"""
import glob
import json
import math
import os
import os.path as osp

import cv2
import numpy as np

from ..utils.parallel import parallel_map

__all__ = [
    'MOTIONS', 'CLASSES', 'SHAPES', 'OBJECT_TEXTURES', 'BACKGROUNDS',
    'BACKGROUND_VALUE', 'class_actor', 'class_scene', 'plan_videos',
    'sample_spec', 'make_specs', 'object_poses',
    'render_video', 'encode_h264', 'stratified_split', 'generate'
]

MOTIONS = ('move_right', 'move_left', 'move_up', 'move_down', 'rotate_cw',
           'rotate_ccw', 'zoom_in', 'zoom_out', 'oscillate_horizontal',
           'oscillate_vertical')
CLASSES = MOTIONS
SHAPES = ('disc', 'square', 'triangle', 'ring')
OBJECT_TEXTURES = ('stripes', 'blobs', 'checker', 'rings', 'dots')
BACKGROUNDS = ('blobs', 'gradient', 'stripes')

# Rates of the main object at speed 1, per frame. They are large enough that
# an 8-frame clip at half resolution shows the motion plainly (a few pixels
# of travel, tens of degrees of turn); moving objects wrap around the frame
# and zooms restart (a sawtooth), so no rate needs clamping to fit a video.
TRANSLATE_RATE = 1 / 32  # fraction of the frame side
ROTATE_RATE = 8.0  # degrees
ZOOM_RATE = 0.05  # natural log of the scale
ZOOM_RANGE = math.log(2.5)  # a zoom cycle spans this log-scale ratio
OSCILLATE_PERIOD = 16.0  # frames
SPEED_RANGE = (0.5, 2.0)
RADIUS_RANGE = (0.18, 0.26)  # main object, fraction of the frame side
BACKGROUND_VALUE = (0.15, 0.6)  # HSV value of the background colours

_PLAN_KEY, _SPLIT_KEY, _SCENE_KEY = 1, 2, 3
_LIST_FILES = ('train.txt', 'val.txt', 'pretrain.txt', 'classes.txt',
               'meta.json')


def _stream(seed, key):
    """An rng for a whole-set decision, disjoint from the per-video ones."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(key, )))


def plan_videos(num_videos, seed, num_classes, short_fraction=0.1):
    """Balanced labels and which videos are short.

    Returns:
        tuple: labels (N,) int64 in ``[0, num_classes)`` whose counts differ
        by at most one, and short (N,) bool with ``round(short_fraction * N)``
        True entries.
    """
    rng = _stream(seed, _PLAN_KEY)
    labels = rng.permutation(np.arange(num_videos) % num_classes)
    short = np.zeros(num_videos, bool)
    short[rng.permutation(num_videos)[:int(round(short_fraction *
                                                 num_videos))]] = True
    return labels.astype(np.int64), short


def _unit(rng):
    a = rng.uniform(0, 2 * math.pi)
    return np.array([math.cos(a), math.sin(a)])


def _object(rng, shape, texture, radius, start):
    """A static object; the motion fields are filled in by the caller."""
    return dict(shape=shape, texture=texture, radius=float(radius),
                start=[float(v) for v in start], velocity=[0.0, 0.0],
                angle0=float(rng.uniform(0, 360)), spin=0.0, log_scale0=0.0,
                zoom=0.0, zoom_cycle=0.0, amplitude=[0.0, 0.0], period=0.0,
                phase=0.0, bounce=False, wrap=False)


def class_actor(motion):
    """The main object (shape, texture) of a motion class: ``MOTIONS[k]``
    goes with ``SHAPES[k % 4]`` and ``OBJECT_TEXTURES[k % 5]``."""
    k = MOTIONS.index(motion)
    return SHAPES[k % len(SHAPES)], OBJECT_TEXTURES[k % len(OBJECT_TEXTURES)]


def class_scene(motion):
    """The scene of a motion class: ``(kind, scene)``, the background kind
    ``BACKGROUNDS[k % 3]`` and ``scene = k``, which seeds the pattern (blob
    layout, stripe angle and period, gradient direction) independently of
    the set's seed; the colours stay the video's own."""
    k = MOTIONS.index(motion)
    return BACKGROUNDS[k % len(BACKGROUNDS)], k


def sample_spec(seed, index, motion, size=64, fps=25, short=False,
                lengths=(24, 64), short_lengths=(12, 16), actor_bias=1.0,
                scene_bias=0.0, background_value=BACKGROUND_VALUE,
                max_distractors=2):
    """Draw the JSON-serialisable spec of video ``index`` of ``seed``.

    Positions are pixel centres (x right, y down); angles are degrees,
    counter-clockwise on screen; ``speed`` is the main object's rate relative
    to the base rates. A moving main object wraps around the frame (leaving
    on one side, it enters on the other) and a zooming one restarts when its
    scale has changed by ``exp(ZOOM_RANGE)``, so neither is clamped.

    ``scene_bias`` is decided on a stream of its own, so it changes the
    background of a video and nothing else. Distractors are drawn whatever
    ``max_distractors`` is and the first ``max_distractors`` kept, so the
    spec's other draws do not depend on it.
    """
    if motion not in MOTIONS:
        raise ValueError(f'unknown motion {motion!r}; expected one of '
                         f'{MOTIONS}')
    rng = np.random.default_rng([seed, index])
    lo_len, hi_len = short_lengths if short else lengths
    num_frames = int(rng.integers(lo_len, hi_len + 1))
    speed = math.exp(rng.uniform(*np.log(SPEED_RANGE)))
    radius = size * rng.uniform(RADIUS_RANGE[0], RADIUS_RANGE[1])
    shape, texture = str(rng.choice(SHAPES)), str(rng.choice(OBJECT_TEXTURES))
    if rng.random() < actor_bias:
        shape, texture = class_actor(motion)
    obj = _object(rng, shape, texture, radius, (0.0, 0.0))
    drift = (_unit(rng) * size / 64 * rng.uniform(0.05, 0.25)
             if rng.random() < 0.5 else np.zeros(2))
    background = dict(kind=str(rng.choice(BACKGROUNDS)),
                      drift=[float(v) for v in drift],
                      value=[float(v) for v in background_value])
    if scene_bias and np.random.default_rng(
            [seed, index, _SCENE_KEY]).random() < scene_bias:
        background['kind'], background['scene'] = class_scene(motion)
    distractors = []
    for _ in range(rng.choice(3, p=(0.4, 0.4, 0.2))):
        d = _object(rng, str(rng.choice(SHAPES)),
                    str(rng.choice(OBJECT_TEXTURES)),
                    size * rng.uniform(0.06, 0.1),
                    rng.uniform(0, size - 1, 2))
        d.update(velocity=[float(v) for v in _unit(rng) * size *
                           TRANSLATE_RATE * rng.uniform(0.3, 1.5)],
                 spin=float(rng.uniform(-4, 4)), bounce=True)
        distractors.append(d)
    distractors = distractors[:max_distractors]
    texture_seed = int(rng.integers(2**31))

    lo, hi = radius, size - 1 - radius
    u = rng.uniform(size=3)
    phase = float(rng.uniform(0, 2 * math.pi))
    centre = size * (0.3 + 0.4 * u[:2])
    kind = motion.split('_')[0]
    if kind == 'move':
        axis, sign = {'right': (0, 1), 'left': (0, -1), 'down': (1, 1),
                      'up': (1, -1)}[motion.split('_')[1]]
        centre = size * u[:2]
        obj['velocity'][axis] = sign * size * TRANSLATE_RATE * speed
        obj['wrap'] = True
    elif kind == 'rotate':
        sign = -1 if motion == 'rotate_cw' else 1
        obj['spin'] = sign * ROTATE_RATE * speed
    elif kind == 'zoom':
        rate = ZOOM_RATE * speed
        obj['zoom'] = rate if motion == 'zoom_in' else -rate
        obj['zoom_cycle'] = ZOOM_RANGE
        obj['log_scale0'] = ZOOM_RANGE * (u[2] - 0.5)
    else:
        axis = 0 if motion == 'oscillate_horizontal' else 1
        amp = min(0.2 * size, (hi - lo) / 2)
        centre = lo + (hi - lo) * u[:2]
        centre[axis] = lo + amp + (hi - lo - 2 * amp) * u[2]
        obj['amplitude'][axis] = float(amp)
        obj['period'] = OSCILLATE_PERIOD / speed
        obj['phase'] = phase
    obj['start'] = [float(v) for v in centre]
    return dict(index=int(index), name=f'vid_{index:05d}.mp4', motion=motion,
                num_frames=num_frames, speed=float(speed), size=int(size),
                fps=fps, short=bool(short), object=obj, background=background,
                distractors=distractors, texture_seed=texture_seed)


def make_specs(num_videos, seed, size=64, classes=CLASSES, fps=25,
               short_fraction=0.1, lengths=(24, 64), short_lengths=(12, 16),
               actor_bias=1.0, scene_bias=0.0,
               background_value=BACKGROUND_VALUE, max_distractors=2):
    """Specs of a whole set; ``spec['label']`` indexes ``classes``."""
    labels, short = plan_videos(num_videos, seed, len(classes),
                                short_fraction)
    specs = []
    for i in range(num_videos):
        spec = sample_spec(seed, i, classes[labels[i]], size, fps, short[i],
                           lengths, short_lengths, actor_bias, scene_bias,
                           background_value, max_distractors)
        spec['label'] = int(labels[i])
        specs.append(spec)
    return specs


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
        centre += np.outer(np.sin(2 * math.pi * t / obj['period'] +
                                  obj['phase']), obj['amplitude'])
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
    hue = (rng.uniform() + np.arange(n) / n +
           rng.uniform(-0.1, 0.1, n)) % 1.0
    hsv = np.stack([hue * 180, rng.uniform(*sat, n) * 255,
                    rng.uniform(*val, n) * 255], -1).astype(np.uint8)
    return cv2.cvtColor(hsv[None], cv2.COLOR_HSV2RGB)[0] / np.float32(255)


def _noise(rng, cells, side):
    """(side, side) smooth noise in [0, 1] from a (cells, cells) grid."""
    grid = rng.uniform(size=(cells, cells)).astype(np.float32)
    return cv2.resize(grid, (side, side), interpolation=cv2.INTER_CUBIC)


def _stripes(rng, side, period):
    y, x = np.mgrid[:side, :side].astype(np.float32)
    a = rng.uniform(0, math.pi)
    return 0.5 + 0.5 * np.sin(2 * math.pi * (x * math.cos(a) +
                                             y * math.sin(a)) / period +
                              rng.uniform(0, 2 * math.pi))


def _mix(weight, c0, c1):
    w = weight[..., None]
    return (c0 * (1 - w) + c1 * w).astype(np.float32)


def _background(rng, kind, side, size, value=BACKGROUND_VALUE,
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
        shifts = [[d for d in (-size, 0, size)
                   if -reach < base[k] + d < size + reach] for k in (0, 1)]
        centres = [base + (dx, dy) for dx in shifts[0] for dy in shifts[1]]
    layer = 0
    for x, y in centres:
        mm = m.copy()
        mm[:, 2] += (x - c, y - c)
        layer = layer + cv2.warpAffine(
            sprite, mm, (size, size), flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT, borderValue=0)
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
    canvas = _background(
        rng, background['kind'], size + 2 * margin, size,
        background.get('value', BACKGROUND_VALUE),
        None if scene is None else _stream(scene, _SCENE_KEY))
    objects = spec['distractors'] + [spec['object']]
    sprites = [_sprite(rng, o['shape'], o['texture'], o['radius'])
               for o in objects]
    poses = [object_poses(o, num_frames, size) for o in objects]
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    masks = np.empty((num_frames, size, size), np.float32)
    for t in range(num_frames):
        shift = drift * t - margin
        m = np.float64([[1, 0, shift[0]], [0, 1, shift[1]]])
        img = cv2.warpAffine(canvas, m, (size, size), flags=cv2.INTER_LINEAR,
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


def encode_h264(path, frames, fps=25, crf=18, gop=None, preset=None):
    """Write (H, W, 3) uint8 RGB frames (any iterable) as single-threaded
    H.264 mp4; ``gop``: keyframe interval (None: x264's default).

    x264's macroblock-tree rate control is off: with it, tiny frames gave
    different bytes (and decoded frames) from run to run.
    """
    import itertools

    import av
    frames = iter(frames)
    first = next(frames)
    h, w = first.shape[:2]
    params = 'mbtree=0' if gop is None else f'keyint={gop}:mbtree=0'
    options = {'threads': '1', 'crf': str(crf), 'x264-params': params}
    if preset is not None:
        options['preset'] = preset
    with av.open(str(path), mode='w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, 'yuv420p'
        if gop is not None:
            stream.codec_context.gop_size = gop
        stream.codec_context.options = options
        for i, img in enumerate(itertools.chain([first], frames)):
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(img, dtype=np.uint8), format='rgb24')
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return str(path)


def stratified_split(labels, val_fraction=0.25, seed=0):
    """Boolean (N,) validation mask holding ``val_fraction`` of each class.

    Every class with at least two videos keeps at least one on each side.
    """
    labels = np.asarray(labels)
    rng = _stream(seed, _SPLIT_KEY)
    is_val = np.zeros(len(labels), bool)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        n_val = int(round(len(idx) * val_fraction))
        if val_fraction > 0 and len(idx) >= 2:
            n_val = min(max(n_val, 1), len(idx) - 1)
        is_val[rng.permutation(idx)[:n_val]] = True
    return is_val


def _init_worker():
    cv2.setNumThreads(1)


def _write_one(job):
    spec, path, crf = job
    encode_h264(path, render_video(spec), spec['fps'], crf)
    return spec['name']


def _clear(out_dir):
    """Remove a previous synthetic set from ``out_dir``, nothing else."""
    for path in glob.glob(osp.join(out_dir, 'videos', 'vid_*.mp4')):
        os.remove(path)
    for name in _LIST_FILES:
        if osp.exists(osp.join(out_dir, name)):
            os.remove(osp.join(out_dir, name))


def _write_lines(path, lines):
    with open(path, 'w') as f:
        f.writelines(line + '\n' for line in lines)


def generate(out_dir, num_videos, seed=0, size=64, workers=2,
             classes=CLASSES, fps=25, val_fraction=0.25, short_fraction=0.1,
             lengths=(24, 64), short_lengths=(12, 16), crf=18,
             actor_bias=1.0, scene_bias=0.0,
             background_value=BACKGROUND_VALUE, max_distractors=2,
             overwrite=False):
    """Render and encode a synthetic set under ``out_dir``; return its meta.

    Raises:
        FileExistsError: ``out_dir`` is not empty and ``overwrite`` is False.
            With ``overwrite`` only a previous set's ``videos/vid_*.mp4`` and
            list files are removed.
    """
    if size % 2 or size < 16:
        raise ValueError(f'size must be even and >= 16, got {size}')
    lo, hi = background_value
    if not 0 <= lo <= hi <= 1:
        raise ValueError('background_value must be a range (lo, hi) with '
                         f'0 <= lo <= hi <= 1, got {tuple(background_value)}')
    for name, p in (('actor_bias', actor_bias), ('scene_bias', scene_bias)):
        if not 0 <= p <= 1:
            raise ValueError(f'{name} must be a probability in [0, 1], got '
                             f'{p}')
    if max_distractors not in (0, 1, 2):
        raise ValueError('max_distractors must be 0, 1 or 2, got '
                         f'{max_distractors}')
    unknown = [c for c in classes if c not in MOTIONS]
    if unknown:
        raise ValueError(f'unknown classes {unknown}; choose from {MOTIONS}')
    if osp.isdir(out_dir) and os.listdir(out_dir):
        if not overwrite:
            raise FileExistsError(
                f'{out_dir} is not empty; choose an empty or new folder, or '
                'pass overwrite=True (--overwrite) to replace the synthetic '
                'set in it')
        _clear(out_dir)
    video_dir = osp.join(out_dir, 'videos')
    os.makedirs(video_dir, exist_ok=True)

    specs = make_specs(num_videos, seed, size, tuple(classes), fps,
                       short_fraction, lengths, short_lengths, actor_bias,
                       scene_bias, background_value, max_distractors)
    is_val = stratified_split([s['label'] for s in specs], val_fraction, seed)
    jobs = [(s, osp.join(video_dir, s['name']), crf) for s in specs]
    parallel_map(_write_one, jobs, workers,
                 _init_worker if workers > 1 else None)

    for spec, val in zip(specs, is_val):
        spec['split'] = 'val' if val else 'train'
    train = [s for s in specs if s['split'] == 'train']
    _write_lines(osp.join(out_dir, 'train.txt'),
                 [f"{s['name']} {s['label']}" for s in train])
    _write_lines(osp.join(out_dir, 'val.txt'),
                 [f"{s['name']} {s['label']}" for s in specs
                  if s['split'] == 'val'])
    _write_lines(osp.join(out_dir, 'pretrain.txt'), [s['name'] for s in train])
    _write_lines(osp.join(out_dir, 'classes.txt'), list(classes))
    meta = dict(seed=seed, num_videos=num_videos, size=size, fps=fps,
                classes=list(classes), val_fraction=val_fraction,
                short_fraction=short_fraction, lengths=list(lengths),
                short_lengths=list(short_lengths), crf=crf,
                actor_bias=actor_bias, scene_bias=scene_bias,
                background_value=list(background_value),
                max_distractors=max_distractors, videos=specs)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta
