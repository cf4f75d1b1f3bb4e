"""Run MMAction2's own tools (shipped in the wheel under
``mmaction/.mim/tools``)
with this plugin imported first, so their arguments and behaviour stay
stock."""
import os.path as osp
import runpy
import sys


def stock_tool_path(name: str) -> str:
    """Path of ``mmaction/.mim/tools/<name>``; a clear error if the wheel lacks
    it."""
    import mmaction
    path = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools', name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'MMAction2 stock tool {path} not found: install mmaction2>=1.2 '
            'from PyPI (its wheel ships the tools under mmaction/.mim/tools).')
    return path


def run_stock_tool(name: str) -> None:
    """Execute a stock tool as ``__main__`` after registering ascnet_mm."""
    import ascnet_mm  # noqa: F401  compat fixes + registration come first
    path = stock_tool_path(name)
    sys.argv[0] = path
    runpy.run_path(path, run_name='__main__')
