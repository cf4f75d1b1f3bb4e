"""Stop a loader process whose sample is stuck, naming the video.

A decoder can loop forever on some files (decord: dmlc/decord#373) and a
network file system can stall; a ``DataLoader`` then waits for that worker
for ever and a multi-day run hangs without a word. :func:`watch_sample`
marks the sample a thread is loading; a daemon thread, one per process
(started on first use, so also in each forked worker), checks every few
seconds and, once a sample has taken longer than its timeout, prints what
is stuck, what to do and every thread's stack, and ends the process with
:data:`EXIT_CODE`. The
``DataLoader`` then raises "worker ... exited unexpectedly" in the trainer
(loading in the trainer's own process ends it directly), so the run stops
with a message instead of hanging; its checkpoints are kept.

The watchdog runs while the stuck call has released the GIL (decord's
ctypes calls, file reads, sleeps) or runs Python code; a C loop that holds
the GIL stops it too, as it stops everything else in that process.
"""
import os
import threading
import time
from contextlib import contextmanager
from typing import Dict, NamedTuple, Optional

from ..utils.stop_process import stop_this_process

EXIT_CODE = 75  # the process's exit status when a sample timed out


class _Sample(NamedTuple):
    filename: str
    start: float
    timeout: float
    ann_file: str


_loading: Dict[int, _Sample] = {}  # thread id -> the sample it loads
_thread_pid: Optional[int] = None
_poll_s = 5.0


def _stuck_message(sample: _Sample, elapsed: float) -> str:
    return (
        f'{sample.filename}: loading this sample has taken {elapsed:.0f} s, '
        f'more than sample_timeout={sample.timeout:g} s of the dataset of '
        f'{sample.ann_file}: the decoder or the storage is stuck. Stopping '
        f'this loader process (pid {os.getpid()}, exit status {EXIT_CODE}); '
        'the checkpoints written so far are kept. Check the video with '
        'tools/data/verify_videos.py (it stops a decoder after --timeout), '
        'remove or re-encode it, then resume with --resume; or raise the '
        "dataset's sample_timeout if loading is just slow. The stack of "
        'every thread follows.')


def _watch_loop() -> None:
    while True:
        time.sleep(_poll_s)
        now = time.monotonic()
        for sample in list(_loading.values()):
            if now - sample.start > sample.timeout:
                stop_this_process(
                    _stuck_message(sample, now - sample.start), EXIT_CODE)


def _ensure_thread(timeout: float) -> None:
    """Start this process's watchdog thread (threads do not survive a
    fork, so a worker starts its own)."""
    global _thread_pid, _poll_s
    _poll_s = min(_poll_s, max(0.05, timeout / 4))
    if _thread_pid == os.getpid():
        return
    _thread_pid = os.getpid()
    threading.Thread(
        target=_watch_loop, name='sample-watchdog', daemon=True).start()


@contextmanager
def watch_sample(filename: str, timeout: Optional[float], ann_file: str):
    """Within the block, the calling thread loads ``filename``; past
    ``timeout`` seconds (``None`` or 0: not watched) the process stops with
    a message naming it and ``ann_file``."""
    if not timeout:
        yield
        return
    _ensure_thread(timeout)
    key = threading.get_ident()
    _loading[key] = _Sample(filename, time.monotonic(), timeout, ann_file)
    try:
        yield
    finally:
        _loading.pop(key, None)
