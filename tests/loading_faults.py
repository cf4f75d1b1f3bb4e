"""Test-only transform and hook, imported by training processes through
``custom_imports=dict(imports=['ascnet_mm', 'loading_faults'])`` (with
``tests/`` on PYTHONPATH): a decoder that hangs on one video, a run that
hangs at one iteration."""
import os.path as osp
import time

from mmaction.registry import HOOKS, TRANSFORMS
from mmengine.hooks import Hook


@TRANSFORMS.register_module()
class HangOnVideo:
    """Sleep ``seconds`` when the sample's video is named ``name``, as a
    decoder stuck on that file would; pass every other sample on."""

    def __init__(self, name: str, seconds: float = 600.0) -> None:
        self.name, self.seconds = name, seconds

    def __call__(self, results: dict) -> dict:
        if osp.basename(results['filename']) == self.name:
            time.sleep(self.seconds)
        return results


@HOOKS.register_module()
class SleepAtIteration(Hook):
    """Sleep ``seconds`` before training iteration ``iteration`` (0-based),
    as a run that hangs there would."""

    def __init__(self, iteration: int, seconds: float = 600.0) -> None:
        self.iteration, self.seconds = iteration, seconds

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            time.sleep(self.seconds)
