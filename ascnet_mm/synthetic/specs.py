"""Synthetic motion videos, part 1: the JSON spec of each video.

Textured objects whose class is their motion. Each video shows one main object
(the *actor*: a disc, square, triangle or
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
label plan and the split use their own streams of ``s``.
"""
import math
from typing import NamedTuple, Tuple

import numpy as np

__all__ = [
    'MOTIONS', 'CLASSES', 'SHAPES', 'OBJECT_TEXTURES', 'BACKGROUNDS',
    'BACKGROUND_VALUE', 'VideoSettings', 'class_actor', 'class_scene',
    'plan_videos', 'sample_spec', 'make_specs'
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
# move_<direction>: (image axis: 0 = x, 1 = y; sign along it), y down.
MOVE_AXIS_SIGN = dict(right=(0, 1), left=(0, -1), down=(1, 1), up=(1, -1))

_PLAN_KEY, _SPLIT_KEY, _SCENE_KEY = 1, 2, 3


class VideoSettings(NamedTuple):
    """How videos are drawn (the same for every video of a set).

    ``size`` (px, even, >= 16) and ``fps``; ``lengths`` / ``short_lengths``:
    frame-count ranges of normal and short videos; ``actor_bias`` /
    ``scene_bias``: probabilities of the class actor and scene;
    ``background_value``: HSV value range of the background colours;
    ``max_distractors``: 0, 1 or 2.
    """
    size: int = 64
    fps: int = 25
    lengths: Tuple[int, int] = (24, 64)
    short_lengths: Tuple[int, int] = (12, 16)
    actor_bias: float = 1.0
    scene_bias: float = 0.0
    background_value: Tuple[float, float] = BACKGROUND_VALUE
    max_distractors: int = 2

    def check(self) -> 'VideoSettings':
        """Raise ``ValueError`` naming the first bad setting; else self."""
        if self.size % 2 or self.size < 16:
            raise ValueError(f'size must be even and >= 16, got {self.size}')
        lo, hi = self.background_value
        if not 0 <= lo <= hi <= 1:
            raise ValueError(
                'background_value must be a range (lo, hi) with 0 <= lo <= '
                f'hi <= 1, got {tuple(self.background_value)}')
        for name in ('actor_bias', 'scene_bias'):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f'{name} must be a probability in [0, 1], '
                                 f'got {getattr(self, name)}')
        if self.max_distractors not in (0, 1, 2):
            raise ValueError('max_distractors must be 0, 1 or 2, got '
                             f'{self.max_distractors}')
        return self


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
    return dict(
        shape=shape,
        texture=texture,
        radius=float(radius),
        start=[float(v) for v in start],
        velocity=[0.0, 0.0],
        angle0=float(rng.uniform(0, 360)),
        spin=0.0,
        log_scale0=0.0,
        zoom=0.0,
        zoom_cycle=0.0,
        amplitude=[0.0, 0.0],
        period=0.0,
        phase=0.0,
        bounce=False,
        wrap=False)


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


def sample_spec(seed, index, motion, short=False, **settings):
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

    ``settings``: the fields of :class:`VideoSettings` (defaults there).
    """
    if motion not in MOTIONS:
        raise ValueError(f'unknown motion {motion!r}; expected one of '
                         f'{MOTIONS}')
    (size, fps, lengths, short_lengths, actor_bias, scene_bias,
     background_value, max_distractors) = VideoSettings(**settings)
    rng = np.random.default_rng([seed, index])
    lo_len, hi_len = short_lengths if short else lengths
    num_frames = int(rng.integers(lo_len, hi_len + 1))
    speed = math.exp(rng.uniform(*np.log(SPEED_RANGE)))
    radius = size * rng.uniform(RADIUS_RANGE[0], RADIUS_RANGE[1])
    shape, texture = str(rng.choice(SHAPES)), str(rng.choice(OBJECT_TEXTURES))
    if rng.random() < actor_bias:
        shape, texture = class_actor(motion)
    obj = _object(rng, shape, texture, radius, (0.0, 0.0))
    drift = (
        _unit(rng) * size / 64 *
        rng.uniform(0.05, 0.25) if rng.random() < 0.5 else np.zeros(2))
    background = dict(
        kind=str(rng.choice(BACKGROUNDS)),
        drift=[float(v) for v in drift],
        value=[float(v) for v in background_value])
    if scene_bias and np.random.default_rng([seed, index, _SCENE_KEY
                                             ]).random() < scene_bias:
        background['kind'], background['scene'] = class_scene(motion)
    distractors = []
    for _ in range(rng.choice(3, p=(0.4, 0.4, 0.2))):
        d = _object(rng, str(rng.choice(SHAPES)),
                    str(rng.choice(OBJECT_TEXTURES)),
                    size * rng.uniform(0.06, 0.1), rng.uniform(0, size - 1, 2))
        d.update(
            velocity=[
                float(v) for v in _unit(rng) * size * TRANSLATE_RATE *
                rng.uniform(0.3, 1.5)
            ],
            spin=float(rng.uniform(-4, 4)),
            bounce=True)
        distractors.append(d)
    distractors = distractors[:max_distractors]
    texture_seed = int(rng.integers(2**31))

    lo, hi = radius, size - 1 - radius
    u = rng.uniform(size=3)
    phase = float(rng.uniform(0, 2 * math.pi))
    centre = size * (0.3 + 0.4 * u[:2])
    kind = motion.split('_')[0]
    if kind == 'move':
        axis, sign = MOVE_AXIS_SIGN[motion.split('_')[1]]
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
    return dict(
        index=int(index),
        name=f'vid_{index:05d}.mp4',
        motion=motion,
        num_frames=num_frames,
        speed=float(speed),
        size=int(size),
        fps=fps,
        short=bool(short),
        object=obj,
        background=background,
        distractors=distractors,
        texture_seed=texture_seed)


def make_specs(num_videos,
               seed,
               classes=CLASSES,
               short_fraction=0.1,
               **settings):
    """Specs of a whole set; ``spec['label']`` indexes ``classes``;
    ``settings`` as in :func:`sample_spec`."""
    labels, short = plan_videos(num_videos, seed, len(classes), short_fraction)
    specs = []
    for i in range(num_videos):
        spec = sample_spec(seed, i, classes[labels[i]], short[i], **settings)
        spec['label'] = int(labels[i])
        specs.append(spec)
    return specs
