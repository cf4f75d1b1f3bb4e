"""Decode-every-frame video check and the list helpers of the data tools."""
import os
import os.path as osp
import re
from typing import Callable, Iterable, List, NamedTuple, Optional, Tuple

from .readers import open_video
from .reasons import failure_reason, file_problem, open_failure_reason


class VideoCheck(NamedTuple):
    """``ok``; ``reason`` ('' when ok, else short: see
    :mod:`ascnet_mm.video_io.reasons`); ``num_frames`` decoded; ``detail``
    the raw decoder text (for debug logs)."""
    ok: bool
    reason: str
    num_frames: int
    detail: str = ''


def quiet_decoders():
    """Silence FFmpeg's per-file log lines inside decord and PyAV (those
    installed)."""
    try:
        import av.logging
        av.logging.set_level(None)
    except ImportError:
        pass
    try:
        import decord.logging
        decord.logging.set_level(decord.logging.QUIET)
    except ImportError:
        pass


def _first_bad_frame(path, start: int, stop: int, num_threads: int,
                     decoder: str) -> Optional[int]:
    """The first frame in ``[start, stop)`` that a fresh reader cannot
    decode on its own, or None."""
    frame = start
    try:
        vr = open_video(str(path), decoder, num_threads)
        for frame in range(start, stop):
            vr.get_batch([frame])
    except Exception:
        return frame
    return None


def check_video(path,
                chunk: int = 32,
                num_threads: int = 1,
                decoder: str = 'decord') -> VideoCheck:
    """Decode every frame of ``path`` once with ``decoder`` ('decord' or
    'torchcodec'), in ``chunk``-frame batches.

    Fails on a missing or empty file, a file that does not open, no frames, a
    frame that does not decode (the first one is named), or fewer decoded
    frames than the reader's length claims.
    """
    problem = file_problem(path)
    if problem:
        return VideoCheck(False, problem, 0)
    try:
        vr = open_video(str(path), decoder, num_threads)
    except ImportError:
        raise
    except Exception as e:
        return VideoCheck(False, open_failure_reason(path, e), 0, str(e))
    total, done = len(vr), 0
    if total == 0:
        return VideoCheck(False, 'no frames', 0)
    try:
        for start in range(0, total, chunk):
            stop = min(total, start + chunk)
            done += vr.get_batch(list(range(start, stop))).shape[0]
    except Exception as e:
        bad = _first_bad_frame(path, start, stop, num_threads, decoder)
        return VideoCheck(False, failure_reason(path, e, bad), done, str(e))
    if done < total:
        return VideoCheck(False, f'decoded {done} of {total} frames', done)
    return VideoCheck(True, '', done)


def map_progress(func: Callable,
                 tasks: list,
                 workers: int = 1,
                 timeout: Optional[float] = None) -> list:
    """``[func(t) for t in tasks]`` in order, over ``workers`` processes, with
    a bar. A task that raised, or (with ``timeout`` seconds) ran past the
    limit or killed its worker (a decoder that hangs or crashes on a file),
    gives a :class:`~ascnet_mm.utils.TaskFailure` in its place (its
    ``reason``: ``timeout after Ns``, ``decoder crashed (...)``); the other
    tasks go on (:func:`~ascnet_mm.utils.timed_imap`)."""
    from ..utils import timed_imap
    tasks = list(tasks)
    results = [None] * len(tasks)
    bar = None
    if tasks:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(tasks))
    for i, result in timed_imap(func, tasks, workers, timeout,
                                quiet_decoders):
        results[i] = result
        bar.update()
    return results


def read_list(list_file) -> List[Tuple[str, str]]:
    """``(path, line)`` for each non-blank line of an MMAction2 list."""
    with open(list_file) as f:
        lines = [ln.rstrip('\r\n') for ln in f]
    return [(ln.split()[0], ln) for ln in lines if ln.strip()]


def write_lines(path, lines: Iterable[str]):
    """Write ``lines`` to ``path``, one a line, through a temporary file and
    a rename (a kill leaves the old file or the new one, never half)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        f.writelines(f'{ln}\n' for ln in lines)
    os.replace(tmp, path)


def reason_kind(reason: str) -> str:
    """Group reasons for summaries: 'undecodable frame 7' -> 'undecodable
    frame N' (version numbers such as 0.6 are kept)."""
    return re.sub(r'(?<![\w.])\d+(?![\d.])', 'N', reason.split(':')[0])
