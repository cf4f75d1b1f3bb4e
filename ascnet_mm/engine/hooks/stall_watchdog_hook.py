"""Stop a run that has stopped making progress, with every thread's stack."""
import sys
import threading
import time
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from ...utils.stop_process import stop_this_process
from ..checkpoint_io import describe_last_checkpoint

EXIT_CODE = 76  # the process's exit status when the watchdog stops a run
_RUN_METHODS = ('train', 'val', 'test')


def _run_frame(runner) -> Optional[object]:
    """The frame of the ``Runner`` method (train, val or test) that is
    calling the hooks, if any."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in _RUN_METHODS and \
                frame.f_locals.get('self') is runner:
            return frame
        frame = frame.f_back
    return None


@HOOKS.register_module()
class StallWatchdogHook(Hook):
    """Stop the run when nothing has moved for ``timeout`` seconds.

    A run can hang without an error: a data worker waiting for ever, a
    collective operation that one GPU never joins, a file system that stops
    answering. Then it holds its GPUs for days and writes nothing. This hook
    notes progress at every iteration, epoch, validation and checkpoint of
    any loop; a daemon thread (one per process, so per rank) checks every
    few seconds, and after ``timeout`` seconds without progress prints what
    was the last progress, the last good checkpoint and what to do, then
    every thread's stack (``faulthandler``, to find where it hangs), and
    ends the process with :data:`EXIT_CODE`; the launcher then stops the
    other ranks. Checkpoints written so far are kept, so ``--resume``
    continues once the cause is fixed.

    The thread stops with the run; if the run ends in an exception (which
    skips ``after_run``), it stops as soon as the ``Runner`` method that ran
    the hooks has left the stack, so a notebook or a test process is never
    killed later. It needs the GIL to run: a C loop that holds it stalls
    the watchdog too.

    Args:
        timeout (float): seconds without progress. Default 1800 (ours: an
            iteration takes seconds, a checkpoint or an online evaluation
            minutes).
        poll (float, optional): seconds between checks (default
            ``min(30, timeout / 10)``).
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 timeout: float = 1800.0,
                 poll: Optional[float] = None) -> None:
        if not timeout > 0:
            raise ValueError(f'timeout must be > 0 seconds, got {timeout!r}')
        self.timeout = float(timeout)
        self.poll = float(poll) if poll else min(30.0, self.timeout / 10)
        self._last = (time.monotonic(), 'the start of the run')
        self._stop: Optional[threading.Event] = None

    def progress(self, what: str) -> None:
        """Note progress (any thread may call it)."""
        self._last = (time.monotonic(), what)

    # ------------------------------------------------------------ run
    def before_run(self, runner) -> None:
        self.progress('the start of the run')
        self._stop = threading.Event()
        threading.Thread(
            target=self._watch,
            args=(runner, self._stop, threading.get_ident(),
                  _run_frame(runner)),
            name='stall-watchdog',
            daemon=True).start()

    def after_run(self, runner) -> None:
        if self._stop is not None:
            self._stop.set()

    # ------------------------------------------------------- progress
    # Counted from 1, as MMEngine's log lines count (runner.epoch and
    # runner.iter are incremented after these hooks).
    @staticmethod
    def _epoch(runner, mode: str) -> str:
        return f'train epoch {runner.epoch + 1}' if mode == 'train' else mode

    def _before_epoch(self, runner, mode: str = 'train') -> None:
        self.progress(f'the start of {self._epoch(runner, mode)}')

    def _after_epoch(self, runner, mode: str = 'train') -> None:
        self.progress(f'the end of {self._epoch(runner, mode)}')

    def _after_iter(self,
                    runner,
                    batch_idx: int,
                    data_batch=None,
                    outputs=None,
                    mode: str = 'train') -> None:
        where = f'iteration {runner.iter + 1}' if mode == 'train' else \
            f'batch {batch_idx + 1}'
        self.progress(f'{mode} {where}')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        self.progress('the start of a checkpoint save')

    # -------------------------------------------------------- watcher
    def _watch(self, runner, stop: threading.Event, ident: int,
               frame) -> None:
        while not stop.wait(self.poll):
            if frame is not None and not self._still_running(ident, frame):
                return  # the run ended in an exception
            since, what = self._last
            idle = time.monotonic() - since
            if idle > self.timeout:
                self._stop_process(runner, idle, what)

    @staticmethod
    def _still_running(ident: int, frame) -> bool:
        current = sys._current_frames().get(ident)
        while current is not None:
            if current is frame:
                return True
            current = current.f_back
        return False

    def _stop_process(self, runner, idle: float, what: str) -> None:
        last = runner.message_hub.get_info('last_ckpt')
        stop_this_process(
            f'[rank {get_rank()}] StallWatchdogHook: no progress for '
            f'{idle:.0f} s (timeout {self.timeout:g} s) since {what}: the '
            'run is stuck (a data loader, an operation across GPUs, the '
            f'storage). Stopping it (exit status {EXIT_CODE}); the stack of '
            f'every thread follows, to find where. '
            f'{describe_last_checkpoint(last)} Resume with --resume once '
            'the cause is fixed, or raise the hook\'s timeout if a step can '
            'take that long.', EXIT_CODE)
