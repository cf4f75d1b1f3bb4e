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
from .specs import (_SPLIT_KEY, CLASSES, MOTIONS, VideoSettings, _stream,
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
             workers=2,
             classes=CLASSES,
             val_fraction=0.25,
             short_fraction=0.1,
             crf=18,
             overwrite=False,
             **settings):
    """Render and encode a synthetic set under ``out_dir``; return its meta.

    ``settings``: the fields of :class:`VideoSettings` (``size``, ``fps``,
    ``scene_bias``, ...), checked before anything is written.

    Raises:
        ValueError: a setting or class is invalid.
        FileExistsError: ``out_dir`` is not empty and ``overwrite`` is False.
            With ``overwrite`` only a previous set's ``videos/vid_*.mp4`` and
            list files are removed.
    """
    settings = VideoSettings(**settings).check()
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

    specs = make_specs(num_videos, seed, tuple(classes), short_fraction,
                       **settings._asdict())
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
        classes=list(classes),
        val_fraction=val_fraction,
        short_fraction=short_fraction,
        crf=crf,
        **{
            k: list(v) if isinstance(v, tuple) else v
            for k, v in settings._asdict().items()
        },
        videos=specs)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta
