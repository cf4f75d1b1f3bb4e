"""Training-step throughput: the full SSL step vs the bare backbone.

For each method and backbone (the Kinetics configs named by
``ascnet_mm.utils.pretrain_config``), on
one random batch of ``N`` samples x ``V`` views (uint8 clips, as the data
pipeline packs them; ``ascnet_mm/benchmark/train_step.py``):

- **SSL step**: ``model.train_step(batch, optim_wrapper)``: data
  preprocessor, forward of the online and target networks, losses,
  backward, optimizer step, EMA update, bank / queue update.
- **bare step**: a freshly built backbone of the same config on the same
  ``N * V`` normalised clips: forward, ``mean()`` of its output as the
  loss, backward, optimizer step, through the same kind of optim wrapper.

Precisions: ``none`` (fp32, ``OptimWrapper``), ``bf16`` / ``fp16``
(mmengine ``AmpOptimWrapper(dtype=...)`` on a GPU; on the CPU, where
``AmpOptimWrapper`` refuses to run, bf16 is ``OptimWrapper`` +
``mmengine.runner.amp.autocast('cpu', bfloat16)``). SSL and bare steps
alternate (load from other processes hits both alike); warmup steps are
excluded; the time reported is the minimum (CPU) or median (GPU) over
``--iters`` steps. On a GPU every step is timed between
``torch.cuda.synchronize()`` calls, and the peak memory per clip is
``torch.cuda.max_memory_allocated()`` over one step of each, run with the
other model freed, / (N * V).

Sizes: ``--size tiny`` (default on the CPU: batch 4, 8x64x64) or ``paper``
(default on a GPU: the config's batch, clip length and crop, e.g.
64 x 16x112x112 for R3D-18 and 32 x 16x224x224 for S3D-G);
``--batch-size``, ``--clip-len``, ``--crop-size`` override.

Examples::

    python tools/benchmark/train_throughput.py --threads 1  # CPU, tiny
    python tools/benchmark/train_throughput.py --device cuda \\
        --amp none bf16 fp16 --memory-format contiguous channels_last
"""
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.abspath(osp.join(__file__, '..', '..', '..')))

from ascnet_mm import benchmark as bench  # noqa: E402
from ascnet_mm.utils import markdown_table  # noqa: E402


def parse_args(argv=None):
    parser = bench.benchmark_parser(__doc__.split('\n\n')[0])
    parser.add_argument(
        '--backbone',
        nargs='+',
        default=list(bench.BACKBONES),
        choices=bench.BACKBONES)
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument(
        '--amp',
        nargs='+',
        default=None,
        choices=bench.PRECISIONS,
        help='precisions (default: none bf16 on the CPU, '
        'none bf16 fp16 on a GPU)')
    parser.add_argument(
        '--memory-format',
        nargs='+',
        default=['contiguous'],
        choices=bench.MEMORY_FORMATS,
        help='channels_last = channels_last_3d')
    parser.add_argument(
        '--size',
        choices=('tiny', 'paper'),
        default=None,
        help='default: tiny on the CPU (4 x 8x64x64), paper '
        'on a GPU')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--clip-len', type=int, default=None)
    parser.add_argument('--crop-size', type=int, default=None)
    parser.add_argument(
        '--warmup', type=int, default=None, help='default: 1 CPU, 5 GPU')
    parser.add_argument(
        '--iters', type=int, default=None, help='default: 2 CPU, 10 GPU')
    parser.add_argument(
        '--stat',
        choices=tuple(bench.STATS),
        default=None,
        help='per-step time reported: default min on the '
        'CPU (least disturbed by other processes), median '
        'on a GPU')
    parser.add_argument(
        '--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument(
        '--cudnn-benchmark',
        action='store_true',
        help='torch.backends.cudnn.benchmark = True (the '
        "configs keep MMAction2's env_cfg default, False)")
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    gpu = args.device.startswith('cuda')
    if args.amp is None:
        args.amp = ['none', 'bf16', 'fp16'] if gpu else ['none', 'bf16']
    if not gpu and 'fp16' in args.amp:
        parser.error('on the CPU only bf16 autocast is supported: --amp none '
                     'bf16')
    args.size = args.size or ('paper' if gpu else 'tiny')
    args.warmup = args.warmup if args.warmup is not None else (5 if gpu else 1)
    args.iters = args.iters or (10 if gpu else 2)
    args.stat = args.stat or ('median' if gpu else 'min')
    return args


def run(args) -> list:
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    torch.manual_seed(args.seed)
    device, gpu = args.device, args.device.startswith('cuda')
    results = bench.measure_grid(
        args.method,
        args.backbone,
        args.amp,
        args.memory_format,
        device,
        size=args.size,
        overrides=dict(
            batch_size=args.batch_size,
            clip_len=args.clip_len,
            crop_size=args.crop_size),
        warmup=args.warmup,
        iters=args.iters,
        stat=args.stat)
    name = (
        torch.cuda.get_device_name(device)
        if gpu else f'CPU, {torch.get_num_threads()} torch threads')
    cudnn = '; cudnn.benchmark' if args.cudnn_benchmark and gpu else ''
    print(f'\n{name}; torch {torch.__version__}; warmup {args.warmup}, '
          f'{args.stat} of {args.iters} steps, SSL and bare steps '
          f'alternating{cudnn}\n')
    headers = bench.TRAIN_HEADERS + (bench.TRAIN_GPU_HEADERS if gpu else ())
    print(markdown_table(headers, bench.train_rows(results, gpu)))
    if gpu:
        print()
        for line in bench.train_target_lines(results):
            print(line)
    return results


def main(argv=None):
    return run(parse_args(argv))


if __name__ == '__main__':
    main()
