"""The data-loading paths: a config's pretraining pipeline and its rewrites.

Every path runs the method config's ``train_dataloader.dataset.pipeline``
(``[DecordInit, <view sampler>, DecordDecode, ...]``, or ``TorchCodec*``;
``decoder`` swaps the two) over the same videos, on the CPU path (a
config's ``DeviceCropViews`` is turned back into ``MultiViewTransforms``,
``FormatShape`` and ``ViewAugment`` with its model's
``data_preprocessor.augment``) unless the path says otherwise:

- ``decode_only``: the bound; the view sampler's plan and one read of its
  unique frames (:class:`DecodeOnly`), nothing else.
- ``ours``: the view sampler plans all views and one ``DecordDecode``
  ``get_batch`` reads their unique frames.
- ``ours_device``: ``ours`` without ``ViewAugment`` (colour augmentation on
  the device, ``SSLDataPreprocessor(augment=...)``).
- ``ours_device_crop``: the device-side crop: ``DeviceCropViews`` ships the
  unique frames with each view's crop box (no resize, crop or colour in the
  workers; the device's work is not timed).
- ``naive``: ``DecordDecode`` replaced by :class:`PerViewDecode`, one
  ``get_batch`` of T frames per view; same views and augmentation.
- ``naive_reopen``: ``naive`` with a fresh ``DecordInit`` per view too.
- ``repeat_aug``: MMAction2's ``RepeatAugDataset`` (``num_repeats=V``, stock
  ``SampleFrames``); only where every view has the same stride.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmengine.config import Config

from ascnet_mm.datasets.transforms import DEVICE_CROP_KEYS, BaseViewSampler
from ascnet_mm.utils import pretrain_config
from .decode_only import DecodeOnly
from .per_view_decode import PerViewDecode

PATHS = ('decode_only', 'ours', 'ours_device', 'ours_device_crop', 'naive',
         'naive_reopen', 'repeat_aug')
DECODERS = {'decord': 'Decord', 'torchcodec': 'TorchCodec'}
DEFAULT_PATHS = ('ours', 'naive', 'repeat_aug')


def method_config(method: str, config: Optional[str] = None) -> Config:
    """``config``, or else the method's R3D-18 Kinetics-400 config."""
    return Config.fromfile(config or pretrain_config(method))


def is_view_sampler(transform) -> bool:
    """Whether a pipeline entry (config or transform) is a view sampler."""
    if not isinstance(transform, dict):
        return isinstance(transform, BaseViewSampler)
    cls = transform['type']
    cls = cls if isinstance(cls, type) else TRANSFORMS.get(cls)
    return isinstance(cls, type) and issubclass(cls, BaseViewSampler)


def view_sampler(pipeline: Sequence) -> BaseViewSampler:
    """The (first) view sampler of ``pipeline``, built from its config."""
    for t in pipeline:
        if is_view_sampler(t):
            return TRANSFORMS.build(t) if isinstance(t, dict) else t
    raise ValueError(f'no view sampler in the pipeline {_types(pipeline)}')


def _types(pipeline: Sequence) -> List[str]:
    return [
        t['type'] if isinstance(t, dict) else type(t).__name__
        for t in pipeline
    ]


def _as_dict(cfg) -> dict:
    return cfg.to_dict() if hasattr(cfg, 'to_dict') else copy.deepcopy(cfg)


def crop_path(pipeline: Sequence,
              device_crop: bool,
              augment: Optional[dict] = None) -> List[dict]:
    """``pipeline`` on the device-crop path (``MultiViewTransforms`` ->
    ``DeviceCropViews``, ``FormatShape`` and ``ViewAugment`` dropped, its
    keys packed) or on the CPU path (``DeviceCropViews`` ->
    ``MultiViewTransforms``, ``FormatShape`` and ``ViewAugment(**augment)``
    if ``augment``)."""
    out = []
    for t in map(_as_dict, pipeline):
        kind = t['type']
        if not device_crop and kind == 'DeviceCropViews':
            out += [
                dict(t, type='MultiViewTransforms'),
                dict(type='FormatShape', input_format='NCTHW')
            ] + ([dict(augment, type='ViewAugment')] if augment else [])
        elif not device_crop or kind == 'DeviceCropViews':
            out.append(t)
        elif kind == 'MultiViewTransforms':
            out.append(dict(t, type='DeviceCropViews'))
        elif kind == 'PackActionInputs':
            keys = tuple(t.get('meta_keys', ()))
            keys += tuple(k for k in DEVICE_CROP_KEYS if k not in keys)
            out.append(dict(t, meta_keys=keys))
        elif kind not in ('FormatShape', 'ViewAugment'):
            out.append(t)
    return out


def method_pipeline(cfg: Config,
                    clip_len: Optional[int] = None,
                    crop_size: Optional[int] = None,
                    short_side: Optional[int] = None,
                    device_augment: bool = False,
                    device_crop: bool = False,
                    decoder: Optional[str] = None) -> List[dict]:
    """The config's pretraining pipeline with optional overrides.

    ``clip_len`` sets the view sampler's T, ``crop_size`` the final
    fixed-size ``Resize`` of the per-view transforms, ``short_side`` their
    ``Resize(scale=(-1, S))``; ``device_augment`` drops ``ViewAugment``
    (colour augmentation moved to the device by
    ``SSLDataPreprocessor(augment=...)``); ``device_crop``: the device-crop
    path (:func:`crop_path`), else the CPU path; ``decoder`` (a key of
    ``DECODERS``) swaps the init and decode steps for that decoder's, as
    the dataset base's ``decoder`` line does.
    """
    augment = cfg.model.get('data_preprocessor', {}).get('augment')
    pipeline = [
        t for t in crop_path(cfg.train_dataloader.dataset.pipeline,
                             device_crop, augment)
        if not (device_augment and t['type'] == 'ViewAugment')
    ]
    for t in pipeline:
        if clip_len and is_view_sampler(t):
            t['clip_len'] = clip_len
        if t['type'] not in ('MultiViewTransforms', 'DeviceCropViews'):
            continue
        for inner in t['transforms']:
            if inner['type'] != 'Resize':
                continue
            scale = tuple(inner['scale'])
            if crop_size and inner.get('keep_ratio', True) is False:
                inner['scale'] = (crop_size, crop_size)
            elif short_side and scale[0] == -1:
                inner['scale'] = (-1, short_side)
    _decode_index(pipeline)
    if decoder:
        name = DECODERS[decoder]
        pipeline[0] = dict(pipeline[0], type=f'{name}Init')
        if pipeline[2]['type'] != f'{name}Decode':  # TorchCodecDecode: no args
            pipeline[2] = dict(type=f'{name}Decode')
    return pipeline


def pipeline_decoder(pipeline: Sequence) -> str:
    """The key of ``DECODERS`` whose init step opens ``pipeline``."""
    first = _types(pipeline)[0]
    return next(k for k, v in DECODERS.items() if first == f'{v}Init')


def _decode_index(pipeline: Sequence) -> int:
    """Position of the decode step, checked to follow the same decoder's
    init step and a view sampler."""
    types = _types(pipeline)
    if len(types) < 3 or not is_view_sampler(pipeline[1]) or not any(
            types[0] == f'{v}Init' and types[2] == f'{v}Decode'
            for v in DECODERS.values()):
        raise ValueError('expected a pipeline [DecordInit, <view sampler>, '
                         f'DecordDecode, ...] (or TorchCodec*), got {types}')
    return 2


def naive_pipeline(pipeline: Sequence[dict], reopen: bool = False) -> list:
    """``pipeline`` with its decode step replaced by
    :class:`PerViewDecode`."""
    out = copy.deepcopy(list(pipeline))
    i = _decode_index(out)
    out[i] = PerViewDecode(reopen=reopen, init_cfg=out[0], decode_cfg=out[i])
    return out


def decode_only_pipeline(pipeline: Sequence[dict]) -> list:
    """The bound: ``pipeline``'s init step and view sampler, then
    :class:`DecodeOnly`."""
    _decode_index(pipeline)
    return copy.deepcopy(list(pipeline[:2])) + [DecodeOnly()]


def _single_view_augment(cfg: dict) -> dict:
    """A ``ViewAugment`` config for one-view samples: per-view
    probabilities -> their mean."""
    cfg = dict(cfg)
    for key, value in cfg.items():
        if key.endswith('_prob') and isinstance(value, (list, tuple)):
            cfg[key] = float(np.mean(value))
    return cfg


def repeat_aug_pipeline(pipeline: Sequence[dict]
                        ) -> Tuple[Optional[list], int, str]:
    """(RepeatAugDataset pipeline or None, num_repeats = V, why None).

    Applies when the view sampler draws every view at one and the same
    stride (``view_speeds``, e.g. ``TemporalIntervalSampler``): stock
    ``SampleFrames(clip_len=T, frame_interval=stride, num_clips=1)`` per
    repeat (uniform starts, not CVRL's gap density), then the per-view
    transforms, ``FormatShape``, a one-view ``ViewAugment`` (per-view
    probabilities averaged) and ``PackActionInputs``.
    """
    _decode_index(pipeline)
    sampler = view_sampler(pipeline)
    speeds = {s for view in sampler.view_speeds for s in view}
    if len(speeds) != 1:
        return None, sampler.num_views, 'views differ in speed; ' \
            'RepeatAugDataset samples every repeat with one SampleFrames'
    frames = dict(
        type='SampleFrames',
        clip_len=sampler.clip_len,
        frame_interval=speeds.pop(),
        num_clips=1,
        out_of_bound_opt='loop')
    out = [copy.deepcopy(pipeline[0]), frames, copy.deepcopy(pipeline[2])]
    for t in pipeline[3:]:
        t = copy.deepcopy(t)
        if t['type'] == 'MultiViewTransforms':
            out += t['transforms']
        elif t['type'] == 'ViewAugment':
            out.append(_single_view_augment(t))
        else:
            out.append(t)
    return out, sampler.num_views, ''


def path_pipelines(cfg: Config, paths: Sequence[str],
                   **sizes) -> Dict[str, object]:
    """Pipeline per path (``sizes``: :func:`method_pipeline`'s overrides);
    ``repeat_aug`` maps to ``(pipeline | None, V, reason)``."""
    base = method_pipeline(cfg, **sizes)
    out = {}
    for path in paths:
        if path == 'decode_only':
            out[path] = decode_only_pipeline(base)
        elif path == 'ours':
            out[path] = base
        elif path == 'ours_device':
            out[path] = method_pipeline(cfg,
                                        **dict(sizes, device_augment=True))
        elif path == 'ours_device_crop':
            out[path] = method_pipeline(cfg, **dict(sizes, device_crop=True))
        elif path in ('naive', 'naive_reopen'):
            out[path] = naive_pipeline(base, reopen=path == 'naive_reopen')
        elif path == 'repeat_aug':
            out[path] = repeat_aug_pipeline(base)
        else:
            raise ValueError(f'unknown path {path!r}; choose from {PATHS}')
    return out


def build_dataset(cfg: Config, path: str, pipeline, ann_file: str):
    """The config's dataset type (``ours``, ``naive``, ...) or, for
    ``repeat_aug`` (``pipeline`` = ``(pipeline, V, _)``),
    ``RepeatAugDataset``, over the absolute paths of ``ann_file``."""
    from mmaction.registry import DATASETS
    if path == 'repeat_aug':
        pipeline, num_repeats, _ = pipeline
        return DATASETS.build(
            dict(
                type='RepeatAugDataset',
                ann_file=ann_file,
                data_prefix=dict(video=''),
                pipeline=pipeline,
                num_repeats=num_repeats))
    return DATASETS.build(
        dict(
            type=cfg.train_dataloader.dataset.type,
            ann_file=ann_file,
            data_prefix=dict(video=''),
            pipeline=pipeline))
