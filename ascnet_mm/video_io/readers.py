"""Random-access video readers: decord or torchcodec behind one interface.

Neither decoder is imported until a reader is opened, so this module (and
``ascnet_mm.video_io``) imports without torch, decord or torchcodec.
"""
from typing import Sequence

import numpy as np

DECODERS = ('decord', 'torchcodec')
TORCHCODEC_INSTALL = (
    'pip install "ascnet-mm[torchcodec]" (torchcodec==0.12.0 for torch '
    '2.13; it also needs FFmpeg 4-7 libraries: apt-get install ffmpeg)')


def import_video_decoder():
    """torchcodec's ``VideoDecoder``; ImportError naming the install command
    when torchcodec or its FFmpeg libraries are missing."""
    try:
        from torchcodec.decoders import VideoDecoder
    except (ImportError, OSError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ''
        raise ImportError(f'torchcodec is not usable ({type(e).__name__}: '
                          f'{first[:200]}); install it with: '
                          f'{TORCHCODEC_INSTALL}') from e
    return VideoDecoder


class DecordReader:
    """decord ``VideoReader``: ``len``, ``get_avg_fps``, ``get_batch``."""

    def __init__(self, source, num_threads: int = 1):
        import decord
        self.reader = decord.VideoReader(source, num_threads=num_threads)

    def __len__(self) -> int:
        return len(self.reader)

    def get_avg_fps(self) -> float:
        return self.reader.get_avg_fps()

    def get_batch(self, inds: Sequence[int]) -> np.ndarray:
        """(N, H, W, 3) uint8 RGB frames ``inds``, in that order."""
        return self.reader.get_batch(list(inds)).asnumpy()


class TorchCodecReader(DecordReader):
    """torchcodec ``VideoDecoder`` (exact seeks: the length is counted from
    the file's packets, not taken from the container header)."""

    def __init__(self, source, num_threads: int = 1):
        video_decoder = import_video_decoder()
        self.reader = video_decoder(
            source,
            dimension_order='NHWC',
            num_ffmpeg_threads=num_threads,
            seek_mode='exact')

    def get_avg_fps(self) -> float:
        return float(self.reader.metadata.average_fps)

    def get_batch(self, inds: Sequence[int]) -> np.ndarray:
        """(N, H, W, 3) uint8 RGB frames ``inds``, in that order; each
        distinct frame is decoded once, in file order."""
        inds = [int(i) for i in inds]
        return self.reader.get_frames_at(inds).data.numpy()


def open_video(source, decoder: str = 'decord', num_threads: int = 1):
    """A reader of ``source`` (path or bytes) with ``decoder`` (see
    ``DECODERS``)."""
    if decoder not in DECODERS:
        raise ValueError(f'unknown decoder {decoder!r}; choose from '
                         f'{DECODERS}')
    cls = TorchCodecReader if decoder == 'torchcodec' else DecordReader
    return cls(source, num_threads)
