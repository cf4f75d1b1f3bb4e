"""Worker processes that run one task at a time, each under a time limit."""
import multiprocessing
import time
import traceback
from multiprocessing.connection import wait
from typing import Callable, Iterable, Iterator, NamedTuple, Optional

from .parallel import light_imports

__all__ = ['TaskFailure', 'timed_imap']


class TaskFailure(NamedTuple):
    """What a task gave instead of a result: ``kind`` is 'timeout' (it ran
    past the limit and its worker was killed), 'crash' (the worker died) or
    'error' (the function raised); ``reason`` is short, ``detail`` raw."""
    kind: str
    reason: str
    detail: str = ''


def _call(func: Callable, task):
    """``func(task)``, or a :class:`TaskFailure` ('error') if it raises."""
    try:
        return func(task)
    except Exception as e:
        return TaskFailure('error', f'{type(e).__name__}: {e}',
                           traceback.format_exc())


def _serve(conn, func: Callable, initializer: Optional[Callable]) -> None:
    """Worker loop: receive ``(index, task)``; send ``index`` when the task
    starts (the clock starts then, not while the worker imports) and
    ``(index, result)`` when it ends."""
    if initializer is not None:
        initializer()
    while True:
        job = conn.recv()
        if job is None:
            return
        index, task = job
        conn.send(index)
        conn.send((index, _call(func, task)))


def _run_here(func: Callable, jobs: list,
              initializer: Optional[Callable]) -> Iterator[tuple]:
    """The jobs in this process, in order (no time limit to enforce)."""
    if initializer is not None:
        initializer()
    for index, task in jobs:
        yield index, _call(func, task)


class _Worker:
    """A spawned process, its pipe and the task it runs (index, start)."""

    def __init__(self, ctx, func, initializer) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(child, func, initializer), daemon=True)
        with light_imports():  # the worker imports ascnet_mm light
            self.process.start()
        child.close()
        self.job: Optional[int] = None
        self.started: Optional[float] = None

    def give(self, index: int, task) -> None:
        self.conn.send((index, task))
        self.job, self.started = index, None

    def late(self, timeout: Optional[float]) -> bool:
        """Whether its task has run for ``timeout`` seconds."""
        return timeout is not None and self.started is not None and \
            time.monotonic() - self.started >= timeout

    def stop(self) -> None:
        """Ask the idle worker to exit; kill it if it has not within 10 s."""
        self.conn.send(None)
        self.process.join(10)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def timed_imap(func: Callable,
               tasks: Iterable,
               workers: int = 1,
               timeout: Optional[float] = None,
               initializer: Optional[Callable] = None) -> Iterator[tuple]:
    """Yield ``(index, func(task))`` as tasks finish, in completion order.

    Each task runs in one of ``workers`` spawned processes (never forked: see
    :func:`~ascnet_mm.utils.parallel_map`); with one worker and no
    ``timeout``, in this process. A task still running after
    ``timeout`` seconds has its worker killed and yields a
    :class:`TaskFailure` ('timeout'); so does a worker that dies ('crash') or
    a function that raises ('error'). A killed or dead worker is replaced.
    Closing the iterator kills the workers, so an interrupted caller loses
    only the tasks in flight.
    """
    pending = list(enumerate(tasks))[::-1]
    if not pending:
        return
    if timeout is None and workers <= 1:
        yield from _run_here(func, pending[::-1], initializer)
        return
    ctx = multiprocessing.get_context('spawn')
    pool = [
        _Worker(ctx, func, initializer)
        for _ in range(max(1, min(workers, len(pending))))
    ]
    try:
        for worker in pool:
            worker.give(*pending.pop())
        while pool:
            starts = [w.started for w in pool if w.started is not None]
            wait_for = None
            if timeout is not None and starts:
                wait_for = max(0.0, min(starts) + timeout - time.monotonic())
            ready = wait([w.conn for w in pool], wait_for)
            for worker in list(pool):
                index, result = worker.job, None
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                        if not isinstance(message, tuple):
                            worker.started = time.monotonic()
                            continue
                        index, result = message
                    except (EOFError, OSError):
                        worker.process.join(5)
                        result = TaskFailure(
                            'crash', 'decoder crashed (worker exit code '
                            f'{worker.process.exitcode})')
                elif worker.late(timeout):
                    result = TaskFailure('timeout',
                                         f'timeout after {timeout:g}s')
                else:
                    continue
                if isinstance(result, TaskFailure) and \
                        result.kind != 'error':  # hung or dead: replace it
                    worker.kill()
                    pool.remove(worker)
                    worker = _Worker(ctx, func, initializer) \
                        if pending else None
                    if worker is not None:
                        pool.append(worker)
                if worker is not None and pending:
                    worker.give(*pending.pop())
                elif worker is not None:
                    worker.stop()
                    pool.remove(worker)
                yield index, result
    finally:
        for worker in pool:
            worker.kill()
