"""Data-tool workers import ``ascnet_mm`` light; a plain import registers."""
import os

import pytest
from helpers import loaded_modules, run_python

from ascnet_mm.utils import parallel_map


@pytest.mark.slow
def test_video_io_imports_light_and_custom_imports_register():
    light = run_python([
        '-c', 'import os, sys; os.environ["ASCNET_MM_LIGHT_IMPORT"] = "1"; '
        'import ascnet_mm.video_io; '
        'print(sorted(m for m in ("torch", "mmaction", "mmengine", "decord")'
        ' if m in sys.modules))'
    ])
    assert light.returncode == 0, light.stderr
    assert light.stdout.strip() == '[]'
    full = run_python([
        '-c', 'from mmengine.utils import import_modules_from_strings; '
        'import_modules_from_strings(["ascnet_mm"]); '
        'from mmaction.registry import MODELS, TRANSFORMS; '
        'print(TRANSFORMS.get("TorchCodecInit").__name__, '
        'MODELS.get("S3DG").__name__)'
    ])
    assert full.returncode == 0, full.stderr
    assert full.stdout.split()[-2:] == ['TorchCodecInit', 'S3DG']


@pytest.mark.slow
def test_data_tool_workers_import_light():
    heavy = ('torch', 'mmaction', 'ascnet_mm.models')
    assert loaded_modules(heavy) == list(heavy)
    assert parallel_map(loaded_modules, [heavy] * 2, workers=2) == [[], []]
    assert 'ASCNET_MM_LIGHT_IMPORT' not in os.environ
