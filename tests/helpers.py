"""Helpers shared by the tests: tiny real H.264 videos, loading tool scripts."""
import importlib.util
from pathlib import Path

import numpy as np

from ascnet_mm.video_io import encode_h264


def write_video(path, frames, fps=25, gop=None):
    """Write ``frames`` (T, H, W, 3) uint8 RGB to ``path`` as H.264 (yuv420p).

    ``gop``: keyframe interval (None: the encoder's default).
    """
    return encode_h264(path, frames, fps=fps, gop=gop)


def ramp_video(num_frames, size=32, seed=0):
    """(T, H, W, 3) frames whose mean brightness grows with the frame index.

    Frame ``i`` is roughly uniform grey ``8 * i`` (mod 256) plus mild noise, so a
    decoded frame's index can be read back from its mean.
    """
    rng = np.random.default_rng(seed)
    base = (np.arange(num_frames) * 8 % 256).astype(np.float32)
    frames = base[:, None, None, None] + rng.normal(0, 1, (num_frames, size, size, 3))
    return np.clip(frames, 0, 255).astype(np.uint8)


TOOLS = Path(__file__).resolve().parents[1] / 'tools'


def load_tool(name):
    """Import the script ``tools/<name>.py`` (e.g. ``'data/prepare_videos'``)
    as a module, so a test can call its ``main``."""
    path = TOOLS / f'{name}.py'
    spec = importlib.util.spec_from_file_location(
        '_tool_' + name.replace('/', '_'), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
