"""Frames requested from the decoder per sample, and a model of its seeking.

:func:`install_decode_counter` wraps ``decord.VideoReader.get_batch`` and
``__getitem__`` and ``TorchCodecReader.get_batch`` (torchcodec's
``get_frames_at``) once per process. Per process, since the last
:func:`reset_decode_counts`, it keeps the frame indices requested, the
frames decord's decoder went through to serve them (modelled by
:func:`decoder_frames` with the video's keyframe index; for torchcodec, whose
``get_frames_at`` also decodes sorted unique frames forward, the same model)
and the CPU seconds of the process spent in the decoder (all its threads,
decord's decoding thread and torchcodec's included), which load from other
processes barely changes.
"""
import time
from typing import Dict, List, Sequence, Tuple

import numpy as np

_REQUESTS: List[np.ndarray] = []
_DECODER = dict(frames=0, seconds=0.0)


def decoder_frames(indices: Sequence[int], keys: np.ndarray,
                   pos: int) -> Tuple[int, int]:
    """Frames decord 0.6 decodes to serve one ``get_batch(indices)``.

    A model of ``VideoReader::GetBatch`` / ``SeekAccurate``: repeated
    indices are copied; the next frame is read directly; a later frame in
    the same GOP is reached by decoding forward; any other frame by seeking
    to its keyframe and decoding from there.

    Args:
        indices (Sequence[int]): (K,) frames requested, in order.
        keys (np.ndarray): (G,) sorted keyframe indices of the video.
        pos (int): The decoder's position (next frame it would read).

    Returns:
        tuple[int, int]: Frames decoded and the new position.
    """

    def keyframe(p):
        if not len(keys):
            return 0
        return keys[max(0, np.searchsorted(keys, p, side='right') - 1)]

    seen, count = set(), 0
    for p in (int(i) for i in indices):
        if p in seen:
            continue
        seen.add(p)
        if p < pos or keyframe(p) != keyframe(pos):
            count += p - keyframe(p) + 1
        else:
            count += p - pos + 1
        pos = p + 1
    return count, pos


def _key_indices(reader) -> np.ndarray:
    """Sorted keyframe indices of a decord ``VideoReader`` or a
    ``TorchCodecReader``."""
    if hasattr(reader, 'get_key_indices'):
        return np.asarray(reader.get_key_indices(), np.int64)
    return np.asarray(reader.reader._get_key_frame_indices(), np.int64)


def _record(reader, indices) -> None:
    """Keep ``indices`` (negative ones wrapped) and the decoder's work."""
    if hasattr(indices, 'asnumpy'):
        indices = indices.asnumpy()
    indices = np.asarray(indices, dtype=np.int64).reshape(-1)
    indices = np.where(indices < 0, indices + len(reader), indices)
    _REQUESTS.append(indices)
    if getattr(reader, '_bench_keys', None) is None:
        reader._bench_keys = _key_indices(reader)
        reader._bench_pos = 0
    count, reader._bench_pos = decoder_frames(indices, reader._bench_keys,
                                              reader._bench_pos)
    _DECODER['frames'] += count


def _timed_call(func, *args):
    """``func(*args)``, its CPU time added to the decoder's seconds."""
    start = time.process_time()
    try:
        return func(*args)
    finally:
        _DECODER['seconds'] += time.process_time() - start


def _counted(get_batch):
    """``get_batch`` that records its requests and CPU time."""

    def counted_get_batch(self, indices):
        _record(self, indices)
        return _timed_call(get_batch, self, indices)

    return counted_get_batch


def install_decode_counter() -> None:
    """Wrap ``decord.VideoReader.get_batch`` and ``__getitem__`` and
    ``TorchCodecReader.get_batch`` (once per process) to record the indices
    requested, the modelled decoder frames and the CPU time spent."""
    import decord

    from ..video_io.readers import TorchCodecReader
    reader = decord.VideoReader
    if getattr(reader, '_bench_counted', False):
        return
    getitem = reader.__getitem__

    def counted_getitem(self, idx):
        if isinstance(idx, slice):  # served by get_batch
            return getitem(self, idx)
        _record(self, [idx])
        return _timed_call(getitem, self, idx)

    reader.get_batch = _counted(reader.get_batch)
    reader.__getitem__ = counted_getitem
    TorchCodecReader.get_batch = _counted(TorchCodecReader.get_batch)
    reader._bench_counted = True


def reset_decode_counts() -> None:
    """Forget the requests and decoder work recorded so far."""
    _REQUESTS.clear()
    _DECODER.update(frames=0, seconds=0.0)


def decode_counts() -> Dict[str, float]:
    """``frames`` requested, ``unique`` among them, ``calls`` to the
    decoder, ``decoder`` frames (modelled) and ``decode_s`` CPU seconds in
    the decoder."""
    inds = np.concatenate(_REQUESTS) if _REQUESTS else np.zeros(0, np.int64)
    return dict(
        frames=len(inds),
        unique=len(np.unique(inds)),
        calls=len(_REQUESTS),
        decoder=_DECODER['frames'],
        decode_s=_DECODER['seconds'])
