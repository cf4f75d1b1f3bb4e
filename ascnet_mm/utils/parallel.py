"""Process-parallel map that is safe to call from a process running torch."""
import multiprocessing
import os
from contextlib import contextmanager
from typing import Callable, Iterable, List, Optional

# Read by ascnet_mm/__init__.py: '1' skips the registration imports.
LIGHT_IMPORT_ENV = 'ASCNET_MM_LIGHT_IMPORT'


@contextmanager
def light_imports():
    """Processes started inside import ``ascnet_mm`` without registering
    (no torch, no mmaction): a worker imports only what its task needs."""
    old = os.environ.get(LIGHT_IMPORT_ENV)
    os.environ[LIGHT_IMPORT_ENV] = '1'
    try:
        yield
    finally:
        if old is None:
            del os.environ[LIGHT_IMPORT_ENV]
        else:
            os.environ[LIGHT_IMPORT_ENV] = old


def parallel_map(func: Callable,
                 tasks: Iterable,
                 workers: int = 1,
                 initializer: Optional[Callable] = None) -> List:
    """``[func(t) for t in tasks]`` in order, over ``workers`` processes.

    Workers are *spawned*, never forked: forking a process whose torch/OpenMP
    thread pools are already running can deadlock the children. ``func`` and
    ``initializer`` must be importable (module-level) callables or partials.
    Workers import ``ascnet_mm`` light (see :func:`light_imports`): they start
    fast, and ``func`` must import whatever it uses itself.
    """
    tasks = list(tasks)
    if workers <= 1 or len(tasks) <= 1:
        if initializer is not None:
            initializer()
        return [func(task) for task in tasks]
    ctx = multiprocessing.get_context('spawn')
    with light_imports(), ctx.Pool(min(workers, len(tasks)),
                                   initializer) as pool:
        return list(pool.imap(func, tasks, chunksize=1))
