"""Run the demo's stages side by side where they do not depend on each other.

``tools/demo.py``'s stages (pretraining of a method, and each protocol of an
initialisation) are child tools that each compute on one thread, so on a
2-core machine two of them run at once: random init's protocols beside the
first pretraining, a method's finetune beside its linear probe and
retrieval. docs/synthetic_set.md has the timings.
"""
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Callable, Dict, Sequence, Tuple

Stage = Tuple[Callable, Sequence[str]]


def run_stages(stages: Dict[str, Stage],
               jobs: int,
               stop: threading.Event = None) -> dict:
    """Run every stage once, at most ``jobs`` at a time; return their results
    by name.

    Args:
        stages: ``{name: (fn, deps)}``. A stage starts once every stage named
            in ``deps`` has finished, and ``fn`` gets their results as its
            arguments, in ``deps``' order. Among the stages ready to start,
            the first in ``stages``' order goes first.
        jobs: How many stages may run at once.
        stop: Set at the first failure, so that the running stages can end
            their children early (``run_with_progress(stop=...)``); no
            further stage starts, and the failure is raised once the running
            ones have returned.
    """
    for name, (_, deps) in stages.items():
        unknown = [d for d in deps if d not in stages]
        if unknown:
            raise ValueError(f'stage {name!r} depends on unknown {unknown}')
    jobs, stop = max(1, jobs), stop or threading.Event()
    pending, running, results = dict(stages), {}, {}
    with ThreadPoolExecutor(jobs) as pool:
        while pending or running:
            for name, (fn, deps) in list(pending.items()):
                if len(running) >= jobs:
                    break
                if all(d in results for d in deps):
                    del pending[name]
                    future = pool.submit(fn, *(results[d] for d in deps))
                    running[future] = name
            if not running:
                raise ValueError(
                    f'stages {sorted(pending)} depend on each other in a '
                    'cycle')
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                error = future.exception()
                if error is not None:
                    stop.set()
                    wait(running)
                    raise error
                results[name] = future.result()
    return results
