"""Test-only transform, imported by training processes through
``custom_imports=dict(imports=['ascnet_mm', 'loading_faults'])`` (with
``tests/`` on PYTHONPATH): a decoder that hangs on one video."""
import os.path as osp
import time

from mmaction.registry import TRANSFORMS


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
