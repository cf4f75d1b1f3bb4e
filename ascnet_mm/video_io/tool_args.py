"""The command-line arguments the data tools (``tools/data/``) share."""
import argparse
import logging

from .check import quiet_decoders
from .readers import DECODERS


def add_flag(parser: argparse.ArgumentParser, name: str, help: str):
    """``name`` as an on/off switch (``store_true``)."""
    parser.add_argument(name, action='store_true', help=help)


def add_worker_arguments(parser: argparse.ArgumentParser,
                         workers: int = 1,
                         decodes: bool = False):
    """``--workers`` (default ``workers``); for a tool that decodes videos
    (``decodes``) also ``--decoder {decord,torchcodec}`` and ``--debug``
    (see :func:`start_decoding`)."""
    parser.add_argument(
        '--workers',
        type=int,
        default=workers,
        help='worker processes (default: %(default)s)')
    if not decodes:
        return
    parser.add_argument(
        '--decoder',
        choices=DECODERS,
        default='decord',
        help='decoder that checks every frame (torchcodec: pip install '
        '"ascnet-mm[torchcodec]")')
    add_flag(parser, '--debug',
             'log the raw decoder text of every rejected video')


def add_timeout_argument(parser: argparse.ArgumentParser, default: float):
    """``--timeout`` (seconds per video; 0: no limit): the worker of a video
    that takes longer is killed and the video rejected as ``timeout after
    Ns``; read it with :func:`timeout_of`."""
    parser.add_argument(
        '--timeout',
        type=float,
        default=default,
        help='seconds per video before its worker is killed and the video '
        'rejected as "timeout after Ns" (a decoder that hangs on a file; '
        'default: %(default)s; 0: no limit)')


def timeout_of(args: argparse.Namespace):
    """``--timeout`` as the library takes it: None for no limit."""
    return args.timeout or None


def start_decoding(args: argparse.Namespace):
    """A decoding tool's start: the raw decoder text of rejected videos on
    the log with ``--debug``, FFmpeg's own per-file lines silenced."""
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format='%(message)s')
    quiet_decoders()
