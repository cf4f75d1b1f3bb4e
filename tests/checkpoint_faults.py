"""Test-only hook, imported by training processes through
``custom_imports=dict(imports=['ascnet_mm', 'checkpoint_faults'])`` (with
``tests/`` on PYTHONPATH): SIGKILL the process at one step of one checkpoint
save, through ``ascnet_mm.engine.checkpoint_io.fault_injection``."""
import os
import os.path as osp
import signal

from mmaction.registry import HOOKS
from mmengine.hooks import Hook

from ascnet_mm.engine import checkpoint_io


@HOOKS.register_module()
class KillInCheckpointSave(Hook):
    """Kill the process at ``point`` while ``filename`` is saved.

    Args:
        point (str): ``'mid_write'``, ``'before_rename'``, ``'after_rename'``,
            ``'before_remove'`` or ``'after_remove'``.
        filename (str): the checkpoint's name, e.g. ``'epoch_2.pth'``.
    """

    def __init__(self, point: str, filename: str) -> None:
        self.point, self.filename = point, filename

    def before_train(self, runner) -> None:

        def fault(point, path):
            if point == self.point and osp.basename(path) == self.filename:
                os.kill(os.getpid(), signal.SIGKILL)

        checkpoint_io.fault_injection = fault
