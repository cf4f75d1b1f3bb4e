"""torchcodec decoding: drop-in ``DecordInit`` / ``DecordDecode``."""
import os.path as osp
from typing import List

import numpy as np
from mmaction.datasets.transforms import DecordDecode, DecordInit
from mmaction.registry import TRANSFORMS

from ...video_io.readers import TorchCodecReader


@TRANSFORMS.register_module()
class TorchCodecInit(DecordInit):
    """Open ``filename`` with torchcodec (PyTorch's FFmpeg decoder).

    Same keys as ``DecordInit``: adds ``video_reader``, ``total_frames``
    (frames counted in the file, not the header's claim) and ``avg_fps``.
    torchcodec is imported on the first video; ImportError with the install
    command when it or FFmpeg's libraries are missing.

    Args:
        io_backend (str): File client backend. Defaults to ``'disk'``.
        num_threads (int): FFmpeg decoding threads. Defaults to 1.
    """

    def _get_video_reader(self, filename: str) -> TorchCodecReader:
        from mmengine.fileio import FileClient
        if self.file_client is None:
            self.file_client = FileClient(self.io_backend, **self.kwargs)
        if osp.splitext(filename)[0] == filename:
            filename = filename + '.mp4'
        return TorchCodecReader(
            self.file_client.get(filename), self.num_threads)


@TRANSFORMS.register_module()
class TorchCodecDecode(DecordDecode):
    """Decode ``frame_inds`` (T,) with a ``TorchCodecInit`` reader.

    Same keys as ``DecordDecode``: adds ``imgs`` (T frames (H, W, 3) uint8
    RGB, in ``frame_inds`` order; repeated indices are decoded once),
    ``original_shape`` and ``img_shape``.
    """

    def __init__(self) -> None:
        super().__init__(mode='accurate')

    def _decord_load_frames(self, container: TorchCodecReader,
                            frame_inds: np.ndarray) -> List[np.ndarray]:
        return list(container.get_batch(frame_inds))

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
