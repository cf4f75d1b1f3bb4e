"""Record the run's layout in checkpoints; refuse a resume that changes it."""
from typing import Dict, Optional

from mmaction.registry import HOOKS
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook

META_KEY = 'run_layout'


class RunLayoutError(RuntimeError):
    """Resuming with another global batch or iterations per epoch."""


def run_layout(runner) -> Dict[str, Optional[int]]:
    """World size, batch per process, global batch, iterations per epoch
    and dataset length of the runner's training."""
    loader = runner.train_dataloader
    _, world = get_dist_info()
    batch = getattr(loader, 'batch_size', None)
    return dict(
        world_size=world,
        batch_size=batch,
        global_batch_size=None if batch is None else world * batch,
        iters_per_epoch=len(loader),
        dataset_size=len(loader.dataset))


def _describe(layout: dict) -> str:
    return (f"{layout['world_size']} process(es) x {layout['batch_size']} = "
            f"global batch {layout['global_batch_size']}, "
            f"{layout['iters_per_epoch']} iterations per epoch "
            f"({layout['dataset_size']} samples)")


def _how_to_continue(old: dict, new: dict) -> str:
    world, total = new['world_size'], old['global_batch_size']
    if old['global_batch_size'] != new['global_batch_size']:
        if total and total % world == 0:
            keep = (f'To continue this run keep the global batch {total}: '
                    f'with {world} process(es) pass --cfg-options '
                    f'train_dataloader.batch_size={total // world}.')
        else:
            counts = [
                str(n) for n in range(1, (total or 0) + 1) if total % n == 0
            ]
            keep = (f'To continue this run keep the global batch {total}, '
                    f'which {world} processes cannot share evenly: use '
                    f'{", ".join(counts)} processes, each with '
                    f'train_dataloader.batch_size={total} / processes.')
    else:
        keep = ('The dataset changed (the global batch did not): to continue '
                'this run, train on the same list as before.')
    return (f'{keep} Or start a new run from these weights with a fresh '
            'schedule: load_from=CHECKPOINT without --resume, in a new work '
            'dir.')


@HOOKS.register_module()
class RunLayoutHook(Hook):
    """Store the run's layout in ``checkpoint['meta']['run_layout']`` and,
    when training resumes, compare it with the new run's before training.

    The learning-rate schedule (converted to iterations), EMA momentum and
    the iteration counter are functions of the iteration: another global
    batch or another number of iterations per epoch would make them stop
    early, run past their end or freeze. Such a resume raises
    :class:`RunLayoutError` saying how to continue. The same global batch on
    another number of processes is allowed (logged): the schedules continue
    exactly, but BatchNorm statistics are then per process batch, and the
    per-process random states are not restored (see ``RNGStateHook``).
    """

    priority = 'HIGH'  # before the checkpoint hook touches any file

    def __init__(self) -> None:
        self._pending: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[META_KEY] = run_layout(runner)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.get('meta') or {}
        self._pending = dict(
            layout=meta.get(META_KEY),
            iter=meta.get('iter'),
            epoch=meta.get('epoch'))

    def before_train(self, runner) -> None:
        pending, self._pending = self._pending, None
        if not pending or not runner.iter or runner.iter != pending['iter']:
            return  # not resuming (a new run, maybe from load_from)
        old, new = pending['layout'], run_layout(runner)
        where = f"epoch {pending['epoch']} (iteration {pending['iter']})"
        if old is None:
            runner.logger.warning(
                f'the checkpoint of {where} does not record its run layout; '
                'resuming without checking it. This run: ' + _describe(new))
            return
        keys = ('global_batch_size', 'iters_per_epoch')
        if any(old[k] != new[k] for k in keys):
            raise RunLayoutError(
                f'cannot resume {where}: the checkpoint was written by '
                f'{_describe(old)}; this run has {_describe(new)}. The '
                'learning-rate and EMA momentum schedules count '
                'iterations, so they would not continue where they '
                f'stopped. {_how_to_continue(old, new)}')
        if old['dataset_size'] != new['dataset_size']:
            runner.logger.warning(
                f"the training set has {new['dataset_size']} samples, the "
                f"checkpoint's run had {old['dataset_size']}")
        if old['world_size'] != new['world_size']:
            runner.logger.warning(
                f'resuming {where} of {_describe(old)} with {_describe(new)}:'
                ' the same global batch, so the schedules continue; '
                'BatchNorm statistics are now per '
                f"{new['batch_size']} samples.")
