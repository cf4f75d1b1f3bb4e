"""Write long-GOP H.264 benchmark videos that decode like web videos.

Each video pans over a multi-scale colour noise texture (a camera moving over
a detailed scene), with a disc moving across it and mild sensor noise, so
P- and B-frames carry real residuals. The encoder keeps x264's web defaults
(B-frames, scene-cut detection, CABAC, ``--preset medium``, CRF 23) with a
keyframe interval of ``--gop`` frames (``keyint``; x264's default is 250) and
``mbtree=0`` (macroblock-tree rate control is not deterministic).

Example (the sets of ``docs/benchmarks.md``)::

    python tools/benchmark/make_bench_videos.py --out data/bench/340x256_g250 \
        --num 16 --size 340x256 --seconds 10 --gop 250
"""
import argparse
import os
import os.path as osp
from typing import Tuple

import cv2
import numpy as np

from ascnet_mm.video_io import encode_h264

def parse_size(text: str) -> Tuple[int, int]:
    """'340x256' -> (340, 256), both even (H.264 yuv420p)."""
    try:
        width, height = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'size must be WxH, got {text!r}')
    if width < 2 or height < 2 or width % 2 or height % 2:
        raise argparse.ArgumentTypeError(f'width and height must be even and >= 2, got {text}')
    return width, height

def noise_texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """(H, W, 3) float32 in [0, 255]: colour noise summed over scales 4 to 64 px."""
    tex = np.zeros((height, width, 3), np.float32)
    for cell, weight in ((64, 0.45), (16, 0.3), (4, 0.25)):
        coarse = rng.uniform(0, 255, (height // cell + 2, width // cell + 2, 3)).astype(np.float32)
        up = cv2.resize(coarse, ((width // cell + 2) * cell, (height // cell + 2) * cell),
                        interpolation=cv2.INTER_CUBIC)
        tex += weight * up[:height, :width]
    return np.clip(tex, 0, 255)

def render_frames(rng: np.random.Generator, width: int, height: int, num_frames: int):
    """Yield ``num_frames`` (H, W, 3) uint8 RGB frames of one video."""
    speed = rng.uniform(0.5, 2.0)
    angle = rng.uniform(0, 2 * np.pi)
    vx, vy = speed * np.cos(angle), speed * np.sin(angle)
    pad_x = int(np.ceil(abs(vx) * num_frames)) + 1
    pad_y = int(np.ceil(abs(vy) * num_frames)) + 1
    canvas = noise_texture(rng, height + pad_y, width + pad_x)
    x0 = 0 if vx >= 0 else pad_x - 1
    y0 = 0 if vy >= 0 else pad_y - 1
    radius = max(2, int(min(width, height) * rng.uniform(0.08, 0.15)))
    colour = tuple(int(c) for c in rng.integers(0, 256, 3))
    phase = rng.uniform(0, 2 * np.pi, 2)
    period = rng.uniform(60, 150, 2)
    for t in range(num_frames):
        x = min(max(int(round(x0 + vx * t)), 0), pad_x - 1)
        y = min(max(int(round(y0 + vy * t)), 0), pad_y - 1)
        frame = canvas[y:y + height, x:x + width].copy()
        cx = int(width / 2 + 0.35 * width * np.sin(2 * np.pi * t / period[0] + phase[0]))
        cy = int(height / 2 + 0.35 * height * np.sin(2 * np.pi * t / period[1] + phase[1]))
        cv2.circle(frame, (cx, cy), radius, colour, -1, lineType=cv2.LINE_AA)
        frame += rng.normal(0, 2.0, frame.shape).astype(np.float32)
        yield np.clip(frame, 0, 255).astype(np.uint8)

def write_bench_video(path, width: int, height: int, num_frames: int, fps: int, gop: int,
                      seed: int, crf: int = 23, preset: str = 'medium') -> str:
    """Encode one video; returns ``path``."""
    rng = np.random.default_rng(seed)
    return encode_h264(path, render_frames(rng, width, height, num_frames), fps=fps,
                       crf=crf, gop=gop, preset=preset)

def keyframe_interval(path) -> Tuple[int, float]:
    """(frames, mean frames between keyframes; the frame count if only one)."""
    import av
    with av.open(str(path)) as c:
        keys = [p.is_keyframe for p in c.demux(c.streams.video[0]) if p.size]
    where = np.flatnonzero(keys)
    if len(where) < 2:
        return len(keys), float(len(keys))
    return len(keys), float(np.diff(where).mean())

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num', type=int, default=16, help='number of videos')
    parser.add_argument('--size', type=parse_size, default=(340, 256), help='WxH')
    parser.add_argument('--seconds', type=float, default=10.0)
    parser.add_argument('--fps', type=int, default=30)
    parser.add_argument('--gop', type=int, default=250, help='keyframe interval (x264 keyint)')
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
        write_bench_video(path, width, height, num_frames, args.fps, args.gop,
                          seed=args.seed * 100003 + i, crf=args.crf, preset=args.preset)
        paths.append(path)
        stats.append(keyframe_interval(path))
    size = sum(osp.getsize(p) for p in paths)
    print(f'wrote {len(paths)} videos of {width}x{height}, {num_frames} frames at {args.fps} fps '
          f'to {args.out}: {size / 2**20:.1f} MiB, mean keyframe interval '
          f'{np.mean([s[1] for s in stats]):.1f} frames (--gop {args.gop})')
    return paths

if __name__ == '__main__':
    main()
