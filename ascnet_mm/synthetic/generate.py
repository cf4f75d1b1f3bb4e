"""Synthetic motion videos, part 3: writing a set (videos and lists).

Layout written by :func:`generate` (lists are relative to ``OUT/videos``)::

    OUT/videos/vid_00000.mp4 ...   H.264, yuv420p
    OUT/train.txt, OUT/val.txt     "vid_00000.mp4 LABEL"
    OUT/pretrain.txt               "vid_00000.mp4" (the train videos, no label)
    OUT/classes.txt                one class name per line, line k is label k
    OUT/meta.json                  settings and every video's spec
"""
import glob
import json
import os
import os.path as osp

import cv2
import numpy as np

from ..utils.parallel import parallel_map
from ..video_io.writer import encode_h264
from .render import render_video
from .specs import (_SPLIT_KEY, BACKGROUND_VALUE, CLASSES, MOTIONS, _stream,
                    make_specs)

__all__ = ['stratified_split', 'generate']

_LIST_FILES = ('train.txt', 'val.txt', 'pretrain.txt', 'classes.txt',
               'meta.json')


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


def generate(out_dir,
             num_videos,
             seed=0,
             size=64,
             workers=2,
             classes=CLASSES,
             fps=25,
             val_fraction=0.25,
             short_fraction=0.1,
             lengths=(24, 64),
             short_lengths=(12, 16),
             crf=18,
             actor_bias=1.0,
             scene_bias=0.0,
             background_value=BACKGROUND_VALUE,
             max_distractors=2,
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
    _write_lines(
        osp.join(out_dir, 'train.txt'),
        [f"{s['name']} {s['label']}" for s in train])
    _write_lines(
        osp.join(out_dir, 'val.txt'),
        [f"{s['name']} {s['label']}" for s in specs if s['split'] == 'val'])
    _write_lines(osp.join(out_dir, 'pretrain.txt'), [s['name'] for s in train])
    _write_lines(osp.join(out_dir, 'classes.txt'), list(classes))
    meta = dict(
        seed=seed,
        num_videos=num_videos,
        size=size,
        fps=fps,
        classes=list(classes),
        val_fraction=val_fraction,
        short_fraction=short_fraction,
        lengths=list(lengths),
        short_lengths=list(short_lengths),
        crf=crf,
        actor_bias=actor_bias,
        scene_bias=scene_bias,
        background_value=list(background_value),
        max_distractors=max_distractors,
        videos=specs)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta
