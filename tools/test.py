"""MMAction2's stock `tools/test.py` with ascnet_mm registered first.

Same arguments and behaviour as MMAction2's own (`--work-dir`, `--cfg-options`,
`--launcher`, ...); see `python tools/test.py -h`.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from ascnet_mm.launch import run_stock_tool  # noqa: E402

if __name__ == '__main__':
    run_stock_tool('test.py')
