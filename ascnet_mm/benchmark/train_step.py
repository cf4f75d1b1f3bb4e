"""Training-step throughput: the full SSL step vs the bare backbone.

On one random batch of N samples x V views (uint8 clips, as the data
pipeline packs them), :func:`measure_step` times

- the **SSL step**, ``model.train_step(batch, optim_wrapper)``: data
  preprocessor, forward of the online and target networks, losses,
  backward, optimizer step, EMA update, bank / queue update;
- the **bare step**: a freshly built backbone of the same config on the same
  N * V normalised clips: forward, ``mean()`` of its output as the loss,
  backward, optimizer step, through the same kind of optim wrapper.

SSL and bare steps alternate (load from other processes hits both alike)
after the warmup steps. On a GPU every step is timed between
``torch.cuda.synchronize()`` calls, and each one's peak memory is
``torch.cuda.max_memory_allocated()`` over one step, run with the other
model freed.
"""
import statistics
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ascnet_mm.datasets.transforms import BaseViewSampler
from ascnet_mm.utils import pretrain_config
from .optim_wrappers import optim_wrapper
from .pipelines import view_sampler

BACKBONES = ('r3d18', 's3dg')
PRECISIONS = ('none', 'bf16', 'fp16')
MEMORY_FORMATS = ('contiguous', 'channels_last')
STATS = dict(min=min, median=statistics.median)
TINY = dict(batch_size=4, clip_len=8, crop_size=64)
# Frames of the video the batch's speeds are drawn for (they do not depend
# on it).
_VIDEO_FRAMES = 300


def pretrain_sampler(cfg) -> BaseViewSampler:
    """The view sampler of a pretraining config's pipeline, built."""
    return view_sampler(cfg.train_dataloader.dataset.pipeline)


def paper_size(cfg) -> dict:
    """Batch per GPU, clip length and crop size of a pretraining config."""
    crop = None
    for t in cfg.train_dataloader.dataset.pipeline:
        if t['type'] not in ('MultiViewTransforms', 'DeviceCropViews'):
            continue
        for inner in t['transforms']:
            if inner['type'] == 'Resize' and inner.get('keep_ratio',
                                                       True) is False:
                crop = inner['scale'][0]
    return dict(
        batch_size=cfg.train_dataloader.batch_size,
        clip_len=pretrain_sampler(cfg).clip_len,
        crop_size=crop or 112)


def sample_speeds(sampler: BaseViewSampler,
                  num_samples: int,
                  seed: int = 0) -> np.ndarray:
    """(N, V) int64 speeds of N samples as ``sampler`` draws them, with
    ``np.random`` seeded by ``seed`` (its state restored afterwards)."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        return np.stack([
            np.asarray(sampler.sample_views(_VIDEO_FRAMES)[1], np.int64)
            for _ in range(num_samples)
        ])
    finally:
        np.random.set_state(state)


def make_batch(cfg,
               batch_size: int,
               clip_len: int,
               crop_size: int,
               device: str,
               seed: int = 0) -> dict:
    """``dict(inputs=[(V, 3, T, H, W) uint8] * N, data_samples=[...])`` as
    packed by the pretraining pipeline (``view_speeds`` drawn by the
    config's view sampler, ``video_idx`` and ``view_groups`` in the
    metainfo)."""
    from mmaction.structures import ActionDataSample
    sampler = pretrain_sampler(cfg)
    speeds = sample_speeds(sampler, batch_size, seed)
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i in range(batch_size):
        clip = torch.randint(
            0,
            256, (sampler.num_views, 3, clip_len, crop_size, crop_size),
            dtype=torch.uint8,
            generator=gen)
        inputs.append(clip.to(device))
        sample = ActionDataSample()
        sample.set_metainfo(
            dict(
                view_speeds=speeds[i],
                video_idx=seed * batch_size + i,
                view_groups=np.asarray(sampler.view_groups)))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def to_channels_last_3d(module: torch.nn.Module) -> torch.nn.Module:
    """5-D parameters and buffers to ``channels_last_3d``
    (``Module.to(memory_format=)`` would also try the 4-D ones and fail)."""
    for t in list(module.parameters()) + list(module.buffers()):
        if t.dim() == 5:
            t.data = t.data.contiguous(memory_format=torch.channels_last_3d)
    return module


def _built(model_cfg, device: str, channels_last: bool) -> torch.nn.Module:
    """``MODELS.build(model_cfg)``, SyncBN reverted, on ``device``, in
    train mode."""
    from mmaction.registry import MODELS
    from mmengine.model import revert_sync_batchnorm
    module = revert_sync_batchnorm(MODELS.build(model_cfg)).to(device)
    if channels_last:
        to_channels_last_3d(module)
    module.train()  # some backbones' train() returns None
    return module


def build_model(cfg, batch_size: int, device: str, channels_last: bool):
    """The config's SSL model (an RSPNet queue: a multiple of the batch)."""
    model_cfg = cfg.model.copy()
    if 'queue_size' in model_cfg:
        model_cfg['queue_size'] = max(
            batch_size, model_cfg['queue_size'] // batch_size * batch_size)
    return _built(model_cfg, device, channels_last)


def build_backbone(cfg, device: str, channels_last: bool):
    """A fresh backbone of the config."""
    return _built(cfg.model.backbone, device, channels_last)


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def _timed(step, device: str) -> float:
    """Seconds of one ``step()``."""
    _sync(device)
    start = time.perf_counter()
    step()
    _sync(device)
    return time.perf_counter() - start


def _peak_bytes(step, device: str) -> int:
    """``torch.cuda.max_memory_allocated()`` over one step."""
    _sync(device)
    torch.cuda.reset_peak_memory_stats(device)
    step()
    _sync(device)
    return torch.cuda.max_memory_allocated(device)


def bare_inputs(model, batch: dict, channels_last: bool) -> torch.Tensor:
    """The batch as the backbone sees it: (N * V, 3, T, H, W),
    normalised."""
    with torch.no_grad():
        inputs = model.data_preprocessor(batch, training=True)['inputs']
    inputs = inputs.flatten(0, 1) if inputs.dim() == 6 else inputs
    if channels_last:
        inputs = inputs.contiguous(memory_format=torch.channels_last_3d)
    return inputs


def bare_step(cfg, inputs: torch.Tensor, precision: str, channels_last: bool,
              device: str):
    """A step function of a fresh backbone: forward, ``mean()`` loss,
    backward, SGD step."""
    backbone = build_backbone(cfg, device, channels_last)
    wrapper = optim_wrapper(backbone, cfg, precision, device)

    def step():
        with wrapper.optim_context(backbone):
            feats = backbone(inputs)
            feats = feats[-1] if isinstance(feats, (tuple, list)) else feats
            loss = feats.float().mean()
        wrapper.update_params(loss)

    return step


def measure_step(cfg,
                 size: dict,
                 precision: str,
                 channels_last: bool,
                 device: str,
                 warmup: int,
                 iters: int,
                 stat: str = 'median') -> dict:
    """Seconds (``stat`` over ``iters`` steps) of the SSL step and of the
    bare step on one batch of ``size`` (``batch_size``, ``clip_len``,
    ``crop_size``), timed alternately after ``warmup`` steps of each.

    Returns ``ssl_s``, ``bare_s`` and, on a GPU, ``ssl_peak`` and
    ``bare_peak`` (bytes, each measured alone; None on the CPU).
    """
    model = build_model(cfg, size['batch_size'], device, channels_last)
    batch = make_batch(cfg, size['batch_size'], size['clip_len'],
                       size['crop_size'], device)
    wrapper = optim_wrapper(model, cfg, precision, device)

    def ssl():
        model.train_step(batch, wrapper)

    inputs = bare_inputs(model, batch, channels_last)
    bare = bare_step(cfg, inputs, precision, channels_last, device)
    for _ in range(warmup):
        ssl()
        bare()
    ssl_times, bare_times = [], []
    for _ in range(iters):
        ssl_times.append(_timed(ssl, device))
        bare_times.append(_timed(bare, device))
    reduce = STATS[stat]
    out = dict(
        ssl_s=reduce(ssl_times),
        bare_s=reduce(bare_times),
        ssl_peak=None,
        bare_peak=None)
    if device.startswith('cuda'):
        del bare
        inputs_host = inputs.cpu()  # only the SSL step's data on the device
        del inputs
        torch.cuda.empty_cache()
        out['ssl_peak'] = _peak_bytes(ssl, device)
        del ssl, model, wrapper, batch
        torch.cuda.empty_cache()
        inputs = inputs_host.to(device)
        if channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last_3d)
        bare = bare_step(cfg, inputs, precision, channels_last, device)
        bare()  # gradients and momentum buffers exist from the first step
        out['bare_peak'] = _peak_bytes(bare, device)
        del bare, inputs
        torch.cuda.empty_cache()
    return out


def measure_grid(methods: Sequence[str],
                 backbones: Sequence[str],
                 precisions: Sequence[str],
                 memory_formats: Sequence[str],
                 device: str,
                 size: str = 'tiny',
                 overrides: Optional[Dict[str, Optional[int]]] = None,
                 warmup: int = 1,
                 iters: int = 2,
                 stat: str = 'min') -> List[dict]:
    """:func:`measure_step` of every backbone x method x precision x memory
    format, at ``size`` (``'tiny'``: :data:`TINY`; ``'paper'``: the
    config's) with ``overrides`` (``batch_size``, ``clip_len``,
    ``crop_size``; None keeps the size's).

    Each result also has ``method``, ``backbone``, ``precision``,
    ``memory_format``, ``clips`` (N * V) and ``shape``
    (``'N x V x T x HxW'``).
    """
    from mmengine.config import Config
    results = []
    for backbone in backbones:
        for method in methods:
            cfg = Config.fromfile(pretrain_config(method, backbone))
            shape = dict(TINY) if size == 'tiny' else paper_size(cfg)
            shape.update({
                k: v
                for k, v in (overrides or {}).items() if v is not None
            })
            num_views = pretrain_sampler(cfg).num_views
            for precision in precisions:
                for fmt in memory_formats:
                    r = measure_step(cfg, shape, precision,
                                     fmt == 'channels_last', device, warmup,
                                     iters, stat)
                    r.update(
                        method=method,
                        backbone=backbone,
                        precision=precision,
                        memory_format=fmt,
                        clips=shape['batch_size'] * num_views,
                        shape=f'{shape["batch_size"]} x {num_views} x '
                        f'{shape["clip_len"]} x '
                        f'{shape["crop_size"]}x{shape["crop_size"]}')
                    results.append(r)
                    print(
                        f'{method:7s} {backbone:6s} {precision:5s} '
                        f'{fmt:13s} SSL {1000 * r["ssl_s"]:8.1f} ms, '
                        f'bare {1000 * r["bare_s"]:8.1f} ms',
                        file=sys.stderr,
                        flush=True)
    return results
