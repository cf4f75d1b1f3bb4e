"""Will the disk hold a run's checkpoints? Counted from the size of the
first one the run writes, so a full disk shows on the first day, not at
epoch 150."""
import glob
import os.path as osp
import shutil
from typing import Optional

from ..utils.sizes import human_bytes
from .checkpoint_io import list_checkpoints


def checkpoint_files_at_peak(max_step: int,
                             interval: int,
                             max_keep: int,
                             keep_interval: int = 0,
                             save_last: bool = True,
                             save_begin: int = 0,
                             save_best: bool = False) -> int:
    """The most checkpoint files a run's folder holds at once: those kept for
    good (steps that are multiples of ``keep_interval``), the last
    ``max_keep`` of the others (all of them when ``max_keep <= 0``), one
    being written and, with ``save_best``, the best one.

    Saves are the steps ``1..max_step`` from ``save_begin`` on that are
    multiples of ``interval``, and ``max_step`` itself with ``save_last``.
    """
    saves = {
        s
        for s in range(max(1, save_begin), max_step + 1) if s % interval == 0
    }
    if save_last and max_step >= 1:
        saves.add(max_step)
    for_good = sum(1 for s in saves
                   if keep_interval and s % keep_interval == 0)
    others = len(saves) - for_good
    window = others if max_keep <= 0 else min(max_keep, others)
    return for_good + window + 1 + int(save_best)


def checkpoint_bytes(folder: str, filename_tmpl: str) -> int:
    """Bytes of the checkpoints in ``folder`` named by ``filename_tmpl``
    (e.g. ``'epoch_{}.pth'``) or ``best_*``."""
    paths = list_checkpoints(folder, filename_tmpl) + glob.glob(
        osp.join(glob.escape(folder), 'best_*'))
    return sum(osp.getsize(p) for p in paths if osp.isfile(p))


def space_shortfall(folder: str, filename_tmpl: str, size: int,
                    files: int) -> Optional[str]:
    """A warning when the free space of ``folder`` cannot take ``files``
    checkpoints of ``size`` bytes beyond those it already holds; ``None``
    when it can."""
    needed = files * size - checkpoint_bytes(folder, filename_tmpl)
    free = shutil.disk_usage(folder).free
    if needed <= free:
        return None
    return (f'{folder} has {human_bytes(free)} free, but this run\'s '
            f'checkpoints need about {human_bytes(needed)} more: up to '
            f'{files} files of '
            f'{human_bytes(size)} at once (those kept for good, the last '
            'max_keep_ckpts, one being written). Free space, lower '
            'max_keep_ckpts or raise keep_interval of '
            'default_hooks.checkpoint; otherwise the run stops at the save '
            'that finds the disk full (the checkpoints before it are kept).')
