"""Helpers shared by the tests: tiny real H.264 videos written with PyAV."""
import numpy as np


def write_video(path, frames, fps=25, gop=None, codec='libx264'):
    """Write ``frames`` (T, H, W, 3) uint8 RGB to ``path`` as H.264 (yuv420p).

    ``gop``: keyframe interval (None: the encoder's default).
    """
    import av
    frames = np.asarray(frames, dtype=np.uint8)
    t, h, w, _ = frames.shape
    with av.open(str(path), mode='w') as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, 'yuv420p'
        # mbtree=0: x264's macroblock-tree rate control is not deterministic
        stream.codec_context.options = {'threads': '1',
                                        'x264-params': 'mbtree=0'}
        if gop is not None:
            stream.codec_context.gop_size = gop
        for img in frames:
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


def ramp_video(num_frames, size=32, seed=0):
    """(T, H, W, 3) frames whose mean brightness grows with the frame index.

    Frame ``i`` is roughly uniform grey ``8 * i`` (mod 256) plus mild noise, so a
    decoded frame's index can be read back from its mean.
    """
    rng = np.random.default_rng(seed)
    base = (np.arange(num_frames) * 8 % 256).astype(np.float32)
    frames = base[:, None, None, None] + rng.normal(0, 1, (num_frames, size, size, 3))
    return np.clip(frames, 0, 255).astype(np.uint8)
