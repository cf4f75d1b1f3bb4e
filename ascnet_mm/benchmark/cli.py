"""What the benchmark CLIs in ``tools/benchmark/`` share."""
import argparse

from ..utils import METHODS


def benchmark_parser(description: str) -> argparse.ArgumentParser:
    """A parser that shows defaults, with ``--method`` (one or more of
    ``METHODS``, all by default)."""
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument(
        '--method', nargs='+', default=list(METHODS), choices=METHODS)
    return parser
