"""Process-parallel map that is safe to call from a process running torch."""
import multiprocessing
from typing import Callable, Iterable, List, Optional


def parallel_map(func: Callable,
                 tasks: Iterable,
                 workers: int = 1,
                 initializer: Optional[Callable] = None,
                 progress: bool = False) -> List:
    """``[func(t) for t in tasks]`` in order, over ``workers`` processes.

    Workers are *spawned*, never forked: forking a process whose torch/OpenMP
    thread pools are already running can deadlock the children. ``func`` and
    ``initializer`` must be importable (module-level) callables or partials.
    """
    tasks = list(tasks)
    bar = None
    if progress and tasks:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(tasks))
    results = []
    if workers <= 1 or len(tasks) <= 1:
        if initializer is not None:
            initializer()
        for task in tasks:
            results.append(func(task))
            if bar:
                bar.update()
        return results
    ctx = multiprocessing.get_context('spawn')
    with ctx.Pool(min(workers, len(tasks)), initializer) as pool:
        for result in pool.imap(func, tasks, chunksize=1):
            results.append(result)
            if bar:
                bar.update()
    return results
