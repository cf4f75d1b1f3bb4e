"""ascnet_mm/utils/demo_progress.py: what the demo shows of a child's output
(fake MMEngine logger lines; the demo itself is not run)."""
import sys
import threading
import time

import pytest

from ascnet_mm.utils.demo_progress import (ProgressPrinter, child_env,
                                           parse_logger_line,
                                           run_with_progress)

PREFIX = '12/02 01:55:34 - mmengine - INFO - '
TRAIN = (
    PREFIX + 'Epoch(train) [2][ 10/120]  lr: 6.5451e-03  eta: 0:00:19  '
    'time: 0.2774  data_time: 0.0197  loss: 2.7018  loss_var: 0.5129')
VAL = (
    PREFIX + 'Epoch(val) [5][20/20]    knn/top1: 33.7500  knn/top5: 70.0'
    '  spectrum/effective_rank: 21.3000  data_time: 0.01  time: 0.3')
TEST = PREFIX + 'Epoch(test) [ 30/40]    eta: 0:00:04  time: 0.2100'


def test_parse_logger_line_reads_train_val_and_test_lines():
    assert parse_logger_line(TRAIN) == dict(
        mode='train',
        epoch=2,
        iter=10,
        total=120,
        eta='0:00:19',
        time='0.2774',
        loss='2.7018')
    assert parse_logger_line(VAL) == {
        'mode': 'val',
        'epoch': 5,
        'iter': 20,
        'total': 20,
        'time': '0.3',
        'knn/top1': '33.7500',
        'spectrum/effective_rank': '21.3000'
    }
    assert parse_logger_line(TEST) == dict(
        mode='test', iter=30, total=40, eta='0:00:04', time='0.2100')
    assert parse_logger_line(PREFIX +
                             'Iter(train) [ 40/600]  loss: 1.0')['iter'] == 40
    assert parse_logger_line(PREFIX + 'Checkpoints will be saved to x') is None
    assert parse_logger_line(
        PREFIX + 'Epoch(train) [2]: skipped 0 unreadable videos') is None


def test_printer_shows_the_first_line_then_throttles_but_never_a_metric():
    printer = ProgressPrinter('ascnet pretrain', min_interval=10, start=0)
    assert printer.feed(
        TRAIN, now=1) == (
            '[ascnet pretrain] train ep 2 10/120 eta 0:00:19 time 0.2774 '
            'loss 2.7018')
    assert printer.feed(TRAIN, now=5) is None  # 4 s after the last
    assert printer.feed('a warning, not a logger line', now=20) is None
    assert printer.feed(TRAIN, now=11).startswith('[ascnet pretrain] train')
    assert printer.feed(
        VAL, now=12) == (
            '[ascnet pretrain] val ep 5 20/20 time 0.3 knn/top1 33.7500 '
            'spectrum/effective_rank 21.3000')


def test_printer_heartbeat_after_silence_with_the_stage_detail():
    printer = ProgressPrinter(
        'pool', heartbeat=30, extra=lambda: '96/2560 videos', start=0)
    assert printer.tick(now=29) is None
    assert printer.tick(now=31) == '[pool] 31 s, 96/2560 videos'
    assert printer.tick(now=40) is None  # 9 s after the heartbeat
    # Without a detail: the last status line, or that it runs.
    quiet = ProgressPrinter('test', heartbeat=30, start=0)
    assert quiet.tick(now=30) == '[test] 30 s, running'
    quiet.feed(TEST, now=31)
    assert quiet.tick(now=61) == '[test] 61 s, [test] test 30/40 eta ' \
        '0:00:04 time 0.2100'


def test_child_env_sets_every_thread_variable_and_unbuffered_output():
    env = child_env(1, base=dict(PATH='/bin', OMP_NUM_THREADS='8'))
    assert env == dict(
        PATH='/bin',
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='1',
        MKL_NUM_THREADS='1',
        OPENBLAS_NUM_THREADS='1')


@pytest.mark.slow
def test_run_with_progress_logs_everything_and_echoes_progress(tmp_path):
    """A child that prints logger lines and its torch threads: every line
    reaches the log, the first status line the console, and the thread
    setting of child_env reaches the child's torch."""
    script = ('import torch; print("threads", torch.get_num_threads());'
              f'print({TRAIN!r}); print({TRAIN!r}); print({VAL!r})')
    shown = []
    log = tmp_path / 'sub' / 'run.log'
    code = run_with_progress([sys.executable, '-c', script],
                             str(log),
                             ProgressPrinter('child', min_interval=60),
                             echo=shown.append,
                             env=child_env(1))
    assert code == 0
    assert log.read_text().splitlines() == ['threads 1', TRAIN, TRAIN, VAL]
    assert [line.split()[1] for line in shown] == ['train', 'val']
    code = run_with_progress([sys.executable, '-c', 'raise SystemExit(3)'],
                             str(log),
                             ProgressPrinter('child'),
                             echo=shown.append)
    assert code == 3


def test_run_with_progress_ends_the_child_once_stop_is_set(tmp_path):
    """Another stage failed: a child still running is terminated, and what
    it printed before is in its log."""
    stop = threading.Event()
    script = 'import time; print("started", flush=True); time.sleep(60)'
    shown = []

    def echo(line):
        shown.append(line)

    timer = threading.Timer(0.5, stop.set)
    timer.start()
    start = time.time()
    code = run_with_progress([sys.executable, '-c', script],
                             str(tmp_path / 'run.log'),
                             ProgressPrinter('child'),
                             echo=echo,
                             stop=stop)
    assert code != 0
    assert time.time() - start < 30
    assert (tmp_path / 'run.log').read_text() == 'started\n'
