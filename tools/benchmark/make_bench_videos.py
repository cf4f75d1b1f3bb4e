"""Write long-GOP H.264 benchmark videos that decode like web videos.

Each video pans over a multi-scale colour noise texture (a camera moving over
a detailed scene), with a disc moving across it and mild sensor noise, so
P- and B-frames carry real residuals (rendered by
``ascnet_mm/benchmark/bench_videos.py``). The encoder keeps x264's web
defaults (B-frames, scene-cut detection, CABAC, ``--preset medium``, CRF 23)
with a keyframe interval of ``--gop`` frames (``keyint``; x264's default is
250) and ``mbtree=0`` (macroblock-tree rate control is not deterministic).

Example (the sets of ``docs/benchmarks.md``)::

    python tools/benchmark/make_bench_videos.py \
        --out data/bench/340x256_g250 --num 16 --size 340x256 --seconds 10 \
        --gop 250
"""
import argparse
import os
import os.path as osp
import sys
from typing import Tuple

import numpy as np

sys.path.insert(0, osp.abspath(osp.join(__file__, '..', '..', '..')))

from ascnet_mm.benchmark import keyframe_interval  # noqa: E402
from ascnet_mm.benchmark import write_bench_video  # noqa: E402


def parse_size(text: str) -> Tuple[int, int]:
    """'340x256' -> (340, 256), both even (H.264 yuv420p)."""
    try:
        width, height = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'size must be WxH, got {text!r}')
    if width < 2 or height < 2 or width % 2 or height % 2:
        raise argparse.ArgumentTypeError(
            f'width and height must be even and >= 2, got {text}')
    return width, height


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num', type=int, default=16, help='number of videos')
    parser.add_argument(
        '--size', type=parse_size, default=(340, 256), help='WxH')
    parser.add_argument('--seconds', type=float, default=10.0)
    parser.add_argument('--fps', type=int, default=30)
    parser.add_argument(
        '--gop', type=int, default=250, help='keyframe interval (x264 keyint)')
    parser.add_argument('--crf', type=int, default=23)
    parser.add_argument('--preset', default='medium', help='x264 preset')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    width, height = args.size
    num_frames = max(1, int(round(args.seconds * args.fps)))
    paths, stats = [], []
    for i in range(args.num):
        path = osp.join(args.out, f'bench_{i:03d}.mp4')
        write_bench_video(
            path,
            width,
            height,
            num_frames,
            args.fps,
            args.gop,
            seed=args.seed * 100003 + i,
            crf=args.crf,
            preset=args.preset)
        paths.append(path)
        stats.append(keyframe_interval(path))
    size = sum(osp.getsize(p) for p in paths)
    print(f'wrote {len(paths)} videos of {width}x{height}, {num_frames} '
          f'frames at {args.fps} fps to {args.out}: {size / 2**20:.1f} MiB, '
          f'mean keyframe interval {np.mean([s[1] for s in stats]):.1f} '
          f'frames (--gop {args.gop})')
    return paths


if __name__ == '__main__':
    main()
