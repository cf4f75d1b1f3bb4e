"""Training-step throughput: the full SSL step vs the bare backbone on the same batch.

For each method (``configs/<method>/{r18,s3dg}_k400.py``) and backbone, on one random
batch of ``N`` samples x ``V`` views (uint8 clips, as the data pipeline packs them):

- **SSL step**: ``model.train_step(batch, optim_wrapper)``: data preprocessor, forward
  of the online and target networks, losses, backward, optimizer step, EMA update,
  bank / queue update.
- **bare step**: a freshly built backbone of the same config on the same ``N * V``
  normalised clips: forward, ``mean()`` of its output as the loss, backward, optimizer
  step, through the same kind of optim wrapper.

Precisions: ``none`` (fp32, ``OptimWrapper``), ``bf16`` / ``fp16`` (mmengine
``AmpOptimWrapper(dtype=...)`` on a GPU; on the CPU, where ``AmpOptimWrapper`` refuses
to run, bf16 is ``OptimWrapper`` + ``mmengine.runner.amp.autocast('cpu', bfloat16)``).
SSL and bare steps alternate (load from other processes hits both alike); warmup
steps are excluded; the time reported is the minimum (CPU) or median (GPU) over
``--iters`` steps. On a GPU every step is timed between ``torch.cuda.synchronize()``
calls, and the peak memory per clip is ``torch.cuda.max_memory_allocated()`` over one
step of each, run with the other model freed, / (N * V).

Sizes: ``--size tiny`` (default on the CPU: batch 4, 8x64x64) or ``paper`` (default on a
GPU: the config's batch, clip length and crop, e.g. 64 x 16x112x112 for R3D-18 and
32 x 16x224x224 for S3D-G); ``--batch-size``, ``--clip-len``, ``--crop-size`` override.

Examples::

    python tools/benchmark/train_throughput.py --threads 1           # CPU, tiny sizes
    python tools/benchmark/train_throughput.py --device cuda --amp none bf16 fp16 \
        --memory-format contiguous channels_last
"""
import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

ROOT = Path(__file__).resolve().parents[2]
METHODS = ('ascnet', 'rspnet', 'cvrl')
BACKBONES = dict(r3d18='r18_k400.py', s3dg='s3dg_k400.py')
PRECISIONS = ('none', 'bf16', 'fp16')
MEMORY_FORMATS = ('contiguous', 'channels_last')
STATS = dict(min=min, median=statistics.median)
TINY = dict(batch_size=4, clip_len=8, crop_size=64)
HEADERS = ('method', 'backbone', 'precision', 'memory format', 'N x V x T x HxW',
           'SSL step ms', 'SSL clips/s', 'bare step ms', 'bare clips/s', 'SSL/bare')
GPU_HEADERS = ('SSL peak MiB/clip', 'bare peak MiB/clip')


def config_path(method: str, backbone: str) -> str:
    return str(ROOT / 'configs' / method / BACKBONES[backbone])


def _pipeline_types(cfg) -> Dict[str, dict]:
    return {t['type']: t for t in cfg.train_dataloader.dataset.pipeline}


def paper_size(cfg) -> dict:
    """Batch per GPU, clip length and crop size of a pretraining config."""
    types = _pipeline_types(cfg)
    sampler = next(t for name, t in types.items() if name.endswith('Sampler'))
    crop = None
    for t in types.get('MultiViewTransforms', {}).get('transforms', []):
        if t['type'] == 'Resize' and t.get('keep_ratio', True) is False:
            crop = t['scale'][0]
    return dict(batch_size=cfg.train_dataloader.batch_size,
                clip_len=sampler.get('clip_len', 16), crop_size=crop or 112)


def view_layout(cfg) -> Tuple[int, str]:
    """(V, sampler type) of a pretraining config."""
    types = _pipeline_types(cfg)
    name = next(n for n in types if n.endswith('Sampler'))
    if name == 'RelativeSpeedSampler':
        return 3, name
    return types[name].get('num_views', 2), name


def view_speeds(sampler: str, num_views: int, rng: np.random.Generator) -> List[int]:
    """Per-view speeds as the sampler writes them (for the losses that read them)."""
    if sampler == 'SpeedPairSampler':
        return list(rng.permutation([1, 2, 4, 8][:max(2, num_views)])[:num_views])
    if sampler == 'RelativeSpeedSampler':
        a, b = (1, 2) if rng.random() < 0.5 else (2, 1)
        return [a, a, b]
    return [2] * num_views


def make_batch(cfg, batch_size: int, clip_len: int, crop_size: int, device: str,
               seed: int = 0) -> dict:
    """``dict(inputs=[(V, 3, T, H, W) uint8] * N, data_samples=[...])`` as packed by the
    pretraining pipeline (``view_speeds``, ``video_idx`` in the metainfo)."""
    from mmaction.structures import ActionDataSample
    num_views, sampler = view_layout(cfg)
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i in range(batch_size):
        clip = torch.randint(0, 256, (num_views, 3, clip_len, crop_size, crop_size),
                             dtype=torch.uint8, generator=gen)
        inputs.append(clip.to(device))
        sample = ActionDataSample()
        sample.set_metainfo(dict(view_speeds=np.asarray(view_speeds(sampler, num_views, rng)),
                                 video_idx=seed * batch_size + i))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def to_channels_last_3d(module: torch.nn.Module) -> torch.nn.Module:
    """5-D parameters and buffers to ``channels_last_3d`` (``Module.to(memory_format=)``
    would also try the 4-D ones and fail)."""
    for t in list(module.parameters()) + list(module.buffers()):
        if t.dim() == 5:
            t.data = t.data.contiguous(memory_format=torch.channels_last_3d)
    return module


def build_model(cfg, batch_size: int, device: str, channels_last: bool):
    from mmaction.registry import MODELS
    from mmengine.model import revert_sync_batchnorm
    model_cfg = cfg.model.copy()
    if 'queue_size' in model_cfg:  # RSPNet: a multiple of the batch
        model_cfg['queue_size'] = max(batch_size, model_cfg['queue_size'] // batch_size *
                                      batch_size)
    model = revert_sync_batchnorm(MODELS.build(model_cfg)).to(device)
    if channels_last:
        to_channels_last_3d(model)
    model.train()  # some backbones' train() returns None
    return model


def build_backbone(cfg, device: str, channels_last: bool):
    from mmaction.registry import MODELS
    from mmengine.model import revert_sync_batchnorm
    backbone = revert_sync_batchnorm(MODELS.build(cfg.model.backbone)).to(device)
    if channels_last:
        to_channels_last_3d(backbone)
    backbone.train()
    return backbone


def optim_wrapper(module: torch.nn.Module, cfg, precision: str, device: str):
    """SGD of the config in an ``OptimWrapper`` / ``AmpOptimWrapper`` (CPU: bf16 autocast)."""
    from mmengine.optim import AmpOptimWrapper
    opt_cfg = dict(cfg.optim_wrapper.optimizer)
    opt_cfg.pop('type', None)
    optimizer = torch.optim.SGD(module.parameters(), **opt_cfg)
    if precision == 'none':
        return OptimWrapper(optimizer)
    dtype = dict(bf16=torch.bfloat16, fp16=torch.float16)[precision]
    if device.startswith('cuda'):
        return AmpOptimWrapper(optimizer=optimizer, dtype=dtype)
    if precision != 'bf16':
        raise ValueError('on the CPU only bf16 autocast is supported; use --amp none bf16')
    return CPUAutocastOptimWrapper(optimizer, dtype=dtype)


class CPUAutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose ``optim_context`` autocasts on the CPU (bf16 needs no loss
    scaling; mmengine's ``AmpOptimWrapper`` asserts a GPU)."""

    def __init__(self, optimizer, dtype: torch.dtype = torch.bfloat16, **kwargs) -> None:
        super().__init__(optimizer, **kwargs)
        self.cast_dtype = dtype

    @contextlib.contextmanager
    def optim_context(self, model):
        with super().optim_context(model), autocast(device_type='cpu', dtype=self.cast_dtype):
            yield


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def _timed(step, device: str) -> float:
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
    """The batch as the backbone sees it: (N * V, 3, T, H, W), normalised."""
    with torch.no_grad():
        inputs = model.data_preprocessor(batch, training=True)['inputs']
    inputs = inputs.flatten(0, 1) if inputs.dim() == 6 else inputs
    if channels_last:
        inputs = inputs.contiguous(memory_format=torch.channels_last_3d)
    return inputs


def bare_step(cfg, inputs: torch.Tensor, precision: str, channels_last: bool, device: str):
    """A step function of a fresh backbone: forward, ``mean()`` loss, backward, SGD step."""
    backbone = build_backbone(cfg, device, channels_last)
    wrapper = optim_wrapper(backbone, cfg, precision, device)

    def step():
        with wrapper.optim_context(backbone):
            feats = backbone(inputs)
            feats = feats[-1] if isinstance(feats, (tuple, list)) else feats
            loss = feats.float().mean()
        wrapper.update_params(loss)

    return step


def measure(cfg, size: dict, precision: str, channels_last: bool, device: str,
            warmup: int, iters: int, stat: str = 'median') -> dict:
    """Seconds (``stat`` over ``iters`` steps) of the SSL step and of the bare step,
    timed alternately (so that load from other processes hits both alike) after
    ``warmup`` steps of each; on a GPU also each one's peak memory, measured alone (the
    other model freed)."""
    model = build_model(cfg, size['batch_size'], device, channels_last)
    batch = make_batch(cfg, size['batch_size'], size['clip_len'], size['crop_size'], device)
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
    out = dict(ssl_s=reduce(ssl_times), bare_s=reduce(bare_times), ssl_peak=None,
               bare_peak=None)
    if device.startswith('cuda'):
        del bare
        inputs_host = inputs.cpu()  # keep only the SSL step's own data on the device
        del inputs
        torch.cuda.empty_cache()
        out['ssl_peak'] = _peak_bytes(ssl, device)
        del ssl, model, wrapper, batch
        torch.cuda.empty_cache()
        inputs = inputs_host.to(device)
        if channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last_3d)
        bare = bare_step(cfg, inputs, precision, channels_last, device)
        bare()  # gradients and momentum buffers exist from the first step on
        out['bare_peak'] = _peak_bytes(bare, device)
        del bare, inputs
        torch.cuda.empty_cache()
    return out


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + ' --- |' * len(headers)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='SSL train step (forward, losses, backward, optimizer step, EMA, bank) '
        'vs the bare backbone forward + backward + step on the same batch.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--method', nargs='+', default=list(METHODS), choices=METHODS)
    parser.add_argument('--backbone', nargs='+', default=list(BACKBONES), choices=BACKBONES)
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument('--amp', nargs='+', default=None, choices=PRECISIONS,
                        help='precisions (default: none bf16 on the CPU, none bf16 fp16 on '
                        'a GPU)')
    parser.add_argument('--memory-format', nargs='+', default=['contiguous'],
                        choices=MEMORY_FORMATS, help='channels_last = channels_last_3d')
    parser.add_argument('--size', choices=('tiny', 'paper'), default=None,
                        help='default: tiny on the CPU (4 x 8x64x64), paper on a GPU')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--clip-len', type=int, default=None)
    parser.add_argument('--crop-size', type=int, default=None)
    parser.add_argument('--warmup', type=int, default=None, help='default: 1 CPU, 5 GPU')
    parser.add_argument('--iters', type=int, default=None, help='default: 2 CPU, 10 GPU')
    parser.add_argument('--stat', choices=tuple(STATS), default=None,
                        help='per-step time reported: default min on the CPU (least '
                        'disturbed by other processes), median on a GPU')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--cudnn-benchmark', action='store_true',
                        help='torch.backends.cudnn.benchmark = True (the configs keep '
                        "MMAction2's env_cfg default, False)")
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    gpu = args.device.startswith('cuda')
    if args.amp is None:
        args.amp = ['none', 'bf16', 'fp16'] if gpu else ['none', 'bf16']
    if not gpu and 'fp16' in args.amp:
        parser.error('on the CPU only bf16 autocast is supported: --amp none bf16')
    args.size = args.size or ('paper' if gpu else 'tiny')
    args.warmup = args.warmup if args.warmup is not None else (5 if gpu else 1)
    args.iters = args.iters or (10 if gpu else 2)
    args.stat = args.stat or ('median' if gpu else 'min')
    return args


def run(args) -> List[dict]:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import ascnet_mm  # noqa: F401
    init_default_scope('mmaction')
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    torch.manual_seed(args.seed)
    device, gpu = args.device, args.device.startswith('cuda')
    results = []
    for backbone in args.backbone:
        for method in args.method:
            cfg = Config.fromfile(config_path(method, backbone))
            size = dict(TINY) if args.size == 'tiny' else paper_size(cfg)
            for key in size:
                if getattr(args, key) is not None:
                    size[key] = getattr(args, key)
            num_views, _ = view_layout(cfg)
            for precision in args.amp:
                for fmt in args.memory_format:
                    r = measure(cfg, size, precision, fmt == 'channels_last', device,
                                args.warmup, args.iters, args.stat)
                    r.update(method=method, backbone=backbone, precision=precision,
                             memory_format=fmt, clips=size['batch_size'] * num_views,
                             shape=f'{size["batch_size"]} x {num_views} x {size["clip_len"]}'
                             f' x {size["crop_size"]}x{size["crop_size"]}')
                    results.append(r)
                    print(f'{method:7s} {backbone:6s} {precision:5s} {fmt:13s} SSL '
                          f'{1000 * r["ssl_s"]:8.1f} ms, bare {1000 * r["bare_s"]:8.1f} ms',
                          file=sys.stderr, flush=True)
    rows = []
    for r in results:
        row = [r['method'], r['backbone'], r['precision'], r['memory_format'], r['shape'],
               f'{1000 * r["ssl_s"]:.1f}', f'{r["clips"] / r["ssl_s"]:.1f}',
               f'{1000 * r["bare_s"]:.1f}', f'{r["clips"] / r["bare_s"]:.1f}',
               f'{r["ssl_s"] / r["bare_s"]:.2f}x']
        if gpu:
            row += [f'{r["ssl_peak"] / r["clips"] / 2**20:.1f}',
                    f'{r["bare_peak"] / r["clips"] / 2**20:.1f}']
        rows.append(row)
    name = torch.cuda.get_device_name(device) if gpu else f'CPU, {torch.get_num_threads()} ' \
        'torch threads'
    print(f'\n{name}; torch {torch.__version__}; warmup {args.warmup}, {args.stat} of '
          f'{args.iters} steps, SSL and bare steps alternating'
          f'{"; cudnn.benchmark" if args.cudnn_benchmark and gpu else ""}\n')
    print(markdown_table(HEADERS + (GPU_HEADERS if gpu else ()), rows))
    if gpu:
        print()
        for r in results:
            if r['precision'] == 'bf16':
                ratio = r['ssl_s'] / r['bare_s']
                print(f'{r["method"]} {r["backbone"]} {r["memory_format"]}: bf16 SSL step '
                      f'{ratio:.2f}x bare (target <= 1.15x: '
                      f'{"met" if ratio <= 1.15 else "MISSED"})')
    return results


def main(argv=None):
    return run(parse_args(argv))


if __name__ == '__main__':
    main()
