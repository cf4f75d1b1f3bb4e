"""Live progress of a child tool on the console (``tools/demo.py``).

The child's whole output goes to its log file; the console gets one compact
line per MMEngine logger line (``Epoch(train) [e][i/n] ... eta ... loss``),
at most one every ``min_interval`` seconds, and a heartbeat (elapsed time and
what the stage reports, e.g. videos written) when nothing came for
``heartbeat`` seconds.
"""
import os
import queue
import re
import subprocess
import threading
import time
from typing import Callable, Optional

# What sets a child's compute threads (OpenMP, MKL, OpenBLAS).
THREAD_VARIABLES = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS',
                    'OPENBLAS_NUM_THREADS')
# Epoch(train) [3][ 40/120]  ...   Epoch(test) [ 80/400]  ...
# Iter(train) [ 40/600]  ...
LOGGER_LINE = re.compile(r'(?P<loop>Epoch|Iter)\((?P<mode>\w+)\)\s*'
                         r'(?:\[\s*(?P<epoch>\d+)\])?'
                         r'\[\s*(?P<iter>\d+)/(?P<total>\d+)\]'
                         r'(?P<rest>.*)')
KEY_VALUE = re.compile(r'([\w/.]+): (\S+)')
# What the status line shows of a logger line, in this order.
SHOWN = ('eta', 'time', 'loss', 'acc/top1', 'knn/top1',
         'spectrum/effective_rank', 'retrieval/top1')


def parse_logger_line(line: str) -> Optional[dict]:
    """The loop, position and values of an MMEngine logger line, or None.

    >>> parse_logger_line('Epoch(train) [2][10/15] eta: 0:01:02 loss: 1.5')
    {'mode': 'train', 'epoch': 2, 'iter': 10, 'total': 15, \
'eta': '0:01:02', 'loss': '1.5'}
    """
    match = LOGGER_LINE.search(line)
    if match is None:
        return None
    record = dict(
        mode=match['mode'],
        epoch=None if match['epoch'] is None else int(match['epoch']),
        iter=int(match['iter']),
        total=int(match['total']))
    if record['epoch'] is None:
        del record['epoch']
    for key, value in KEY_VALUE.findall(match['rest']):
        if key in SHOWN:
            record[key] = value
    return record


def format_status(label: str, record: dict) -> str:
    """One console line: ``[label] train ep 2 10/15 eta 0:01:02 loss 1.5``."""
    where = (f'ep {record["epoch"]} ' if 'epoch' in record else '')
    parts = [
        f'[{label}] {record["mode"]} {where}'
        f'{record["iter"]}/{record["total"]}'
    ]
    parts += [f'{key} {record[key]}' for key in SHOWN if key in record]
    return ' '.join(parts)


class ProgressPrinter:
    """Decides what of a child's output reaches the console, and when.

    Args:
        label: The stage's name, at the start of every line.
        min_interval: Seconds between two logger status lines (the first
            and one with a metric, e.g. a validation's last, always show).
        heartbeat: Seconds of console silence before a heartbeat line.
        extra: Called for the heartbeat's detail (e.g. ``'96/320 videos'``).
    """

    def __init__(self,
                 label: str,
                 min_interval: float = 10.0,
                 heartbeat: float = 30.0,
                 extra: Optional[Callable[[], str]] = None,
                 start: Optional[float] = None):
        self.label = label
        self.min_interval = min_interval
        self.heartbeat = heartbeat
        self.extra = extra
        self.start = time.time() if start is None else start
        self.last_print = self.start
        self.last_status = None

    def feed(self, line: str, now: float) -> Optional[str]:
        """A status line for this output line, or None (throttled/other)."""
        record = parse_logger_line(line)
        if record is None:
            return None
        first = self.last_status is None
        self.last_status = format_status(self.label, record)
        metric = any(key in record for key in SHOWN[3:])
        if first or metric or now - self.last_print >= self.min_interval:
            self.last_print = now
            return self.last_status
        return None

    def tick(self, now: float) -> Optional[str]:
        """A heartbeat line if nothing was shown for ``heartbeat`` s."""
        if now - self.last_print < self.heartbeat:
            return None
        self.last_print = now
        detail = self.extra() if self.extra else self.last_status
        return (f'[{self.label}] {now - self.start:.0f} s' +
                (f', {detail}' if detail else ', running'))


def child_env(threads: int, base: Optional[dict] = None) -> dict:
    """The environment of a child tool: ``base`` (default ``os.environ``)
    with unbuffered output and ``threads`` compute threads. In a trainer,
    ``threads`` is its torch intra-op threads; its DataLoader workers run one
    torch thread each (PyTorch sets it in every worker)."""
    return dict(
        os.environ if base is None else base,
        PYTHONUNBUFFERED='1',
        **{k: str(threads)
           for k in THREAD_VARIABLES})


def _read_lines(stream, lines: queue.Queue):
    for line in iter(stream.readline, ''):
        lines.put(line)
    lines.put(None)


def run_with_progress(cmd: list,
                      log_path: str,
                      printer: ProgressPrinter,
                      echo: Callable[[str], None] = print,
                      stop: Optional[threading.Event] = None,
                      **popen_kwargs) -> int:
    """Run ``cmd``, its output to ``log_path`` and its progress (see
    :class:`ProgressPrinter`) through ``echo``; return its exit code. Once
    ``stop`` is set (another stage failed), the child is terminated."""
    os.makedirs(os.path.dirname(log_path) or '.', exist_ok=True)
    lines = queue.Queue()
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors='replace',
            **popen_kwargs)
        reader = threading.Thread(
            target=_read_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                line = ''
            if line is None:
                break
            if stop is not None and stop.is_set() and proc.poll() is None:
                proc.terminate()
            status = None
            if line:
                log.write(line)
                log.flush()
                status = printer.feed(line, time.time())
            status = status or printer.tick(time.time())
            if status:
                echo(status)
        return proc.wait()
