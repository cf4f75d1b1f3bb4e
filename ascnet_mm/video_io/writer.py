"""Writing videos: deterministic single-threaded H.264."""
import itertools

import numpy as np

__all__ = ['encode_h264']


def encode_h264(path,
                frames,
                fps=25,
                crf=18,
                gop=None,
                preset=None,
                setup_stream=None):
    """Write (H, W, 3) uint8 RGB frames (any iterable) as single-threaded
    H.264 (the container from the file extension); ``gop``: keyframe
    interval (None: x264's default); ``setup_stream``: called with the PyAV
    stream before the first frame (e.g. to set a display rotation).

    x264's macroblock-tree rate control is off: with it, tiny frames gave
    different bytes (and decoded frames) from run to run.
    """
    import av
    frames = iter(frames)
    first = next(frames)
    h, w = first.shape[:2]
    params = 'mbtree=0' if gop is None else f'keyint={gop}:mbtree=0'
    options = {'threads': '1', 'crf': str(crf), 'x264-params': params}
    if preset is not None:
        options['preset'] = preset
    with av.open(str(path), mode='w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, 'yuv420p'
        if gop is not None:
            stream.codec_context.gop_size = gop
        if setup_stream is not None:
            setup_stream(stream)
        stream.codec_context.options = options
        for i, img in enumerate(itertools.chain([first], frames)):
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(img, dtype=np.uint8), format='rgb24')
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return str(path)
