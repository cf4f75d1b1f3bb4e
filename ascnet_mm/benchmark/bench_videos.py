"""Long-GOP H.264 benchmark videos that decode like web videos.

Each video pans over a multi-scale colour noise texture (a camera moving
over a detailed scene), with a disc moving across it and mild sensor noise,
so P- and B-frames carry real residuals.
"""
import cv2
import numpy as np

from ascnet_mm.video_io import encode_h264


def noise_texture(rng: np.random.Generator, height: int,
                  width: int) -> np.ndarray:
    """(H, W, 3) float32 in [0, 255]: colour noise summed over scales 4 to
    64 px."""
    tex = np.zeros((height, width, 3), np.float32)
    for cell, weight in ((64, 0.45), (16, 0.3), (4, 0.25)):
        coarse = rng.uniform(0, 255, (height // cell + 2, width // cell + 2,
                                      3)).astype(np.float32)
        up = cv2.resize(
            coarse, ((width // cell + 2) * cell, (height // cell + 2) * cell),
            interpolation=cv2.INTER_CUBIC)
        tex += weight * up[:height, :width]
    return np.clip(tex, 0, 255)


def render_frames(rng: np.random.Generator, width: int, height: int,
                  num_frames: int):
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
        cx = int(width / 2 +
                 0.35 * width * np.sin(2 * np.pi * t / period[0] + phase[0]))
        cy = int(height / 2 +
                 0.35 * height * np.sin(2 * np.pi * t / period[1] + phase[1]))
        cv2.circle(frame, (cx, cy), radius, colour, -1, lineType=cv2.LINE_AA)
        frame += rng.normal(0, 2.0, frame.shape).astype(np.float32)
        yield np.clip(frame, 0, 255).astype(np.uint8)


def write_bench_video(path,
                      width: int,
                      height: int,
                      num_frames: int,
                      fps: int,
                      gop: int,
                      seed: int,
                      crf: int = 23,
                      preset: str = 'medium') -> str:
    """Encode one video of ``num_frames`` (H, W) frames with a keyframe
    every ``gop`` frames (x264 ``keyint``); returns ``path``."""
    rng = np.random.default_rng(seed)
    return encode_h264(
        path,
        render_frames(rng, width, height, num_frames),
        fps=fps,
        crf=crf,
        gop=gop,
        preset=preset)
