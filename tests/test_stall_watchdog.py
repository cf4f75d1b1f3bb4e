"""StallWatchdogHook: a run that stops making progress is stopped with a
message and every thread's stack; progress, the end of the run, or an
exception that ends it keep the watchdog quiet."""
import multiprocessing
import os
import os.path as osp
import time

import pytest
from helpers import derived_config, synthetic_options, train_tool
from mmengine import Config
from mmengine.logging import MessageHub

from ascnet_mm.engine.hooks import StallWatchdogHook
from ascnet_mm.engine.hooks.stall_watchdog_hook import EXIT_CODE

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'


class FakeRunner:
    """What the hook reads of a Runner; ``train`` runs the hooks as
    ``Runner.train`` does, then ``work`` (which may raise)."""

    def __init__(self):
        self.iter = self.epoch = 0
        self.message_hub = MessageHub.get_instance('stall_watchdog_test')

    def train(self, hook, work):
        hook.before_run(self)
        work()
        hook.after_run(self)


def in_child(target, timeout=30):
    """Run ``target`` in a forked process; its exit code."""
    child = multiprocessing.get_context('fork').Process(target=target)
    child.start()
    child.join(timeout)
    assert not child.is_alive(), 'the child hung'
    return child.exitcode


def stalled():
    hook = StallWatchdogHook(timeout=0.3, poll=0.05)
    runner = FakeRunner()
    hook.before_run(runner)
    hook._after_iter(runner, 0, mode='train')
    time.sleep(10)
    os._exit(0)


def test_a_stalled_run_stops_with_a_message_and_the_stacks(capfd):
    start = time.monotonic()
    assert in_child(stalled) == EXIT_CODE
    assert time.monotonic() - start < 5
    err = capfd.readouterr().err
    assert '[rank 0] StallWatchdogHook: no progress for 0 s (timeout 0.3 s) ' \
        'since train iteration 1: the run is stuck' in err, err
    assert 'No checkpoint had been saved yet. Resume with --resume' in err
    assert 'in stalled' in err  # the main thread's stack, where it sleeps


def progressing():
    hook = StallWatchdogHook(timeout=0.3, poll=0.05)
    runner = FakeRunner()

    def work():
        for i in range(20):  # 1 s of iterations, 0.05 s each
            runner.iter = i
            hook._after_iter(runner, i, mode='train')
            time.sleep(0.05)

    runner.train(hook, work)
    time.sleep(1)  # after_run: the watchdog is off
    os._exit(0)


def ended_by_an_exception():
    hook = StallWatchdogHook(timeout=0.3, poll=0.05)
    runner = FakeRunner()

    def fail():
        raise ValueError('the run failed')

    with pytest.raises(ValueError):
        runner.train(hook, fail)  # after_run never runs
    time.sleep(1.5)  # a notebook or a test process lives on
    os._exit(0)


@pytest.mark.parametrize('target', [progressing, ended_by_an_exception])
def test_progress_and_the_end_of_the_run_keep_it_quiet(target, capfd):
    assert in_child(target) == 0
    assert 'StallWatchdogHook' not in capfd.readouterr().err


def test_timeout_must_be_positive():
    for bad in (0, -1):
        with pytest.raises(ValueError, match='timeout must be > 0'):
            StallWatchdogHook(timeout=bad)
    assert StallWatchdogHook(timeout=100).poll == 10
    assert StallWatchdogHook().poll == 30


@pytest.mark.parametrize('config', [
    ASCNET, 'configs/cvrl/cvrl_s3dg_k400.py',
    'configs/rspnet/benchmarks/rspnet_r18_finetune_hmdb51.py',
    'configs/ascnet/benchmarks/ascnet_r18_linear_ucf101.py',
    'configs/ascnet/benchmarks/ascnet_r18_retrieval_ucf101.py'
])
def test_pretraining_and_protocol_configs_watch_for_stalls(config):
    hooks = Config.fromfile(osp.join(ROOT, config)).custom_hooks
    (hook, ) = [h for h in hooks if h['type'] == 'StallWatchdogHook']
    assert StallWatchdogHook(**{
        k: v
        for k, v in hook.items() if k != 'type'
    }).timeout == 1800


@pytest.mark.slow
def test_train_tool_stops_a_run_that_hangs(tiny_synthetic, tmp_path):
    """tools/train.py hung at the start of iteration 5 (epoch 3 of 2
    iterations each, after epoch_2.pth) stops within seconds of the
    timeout, naming the last progress and the kept checkpoint, with the
    sleeping frame's stack."""
    config = derived_config(
        tmp_path / 'hang.py', ASCNET,
        "custom_imports = dict(imports=['ascnet_mm', 'loading_faults'], "
        'allow_failed_imports=False)\n'
        'custom_hooks = [dict(h, timeout=4, poll=0.5) if h["type"] == '
        '"StallWatchdogHook" else h for h in _base_.custom_hooks] + '
        '[dict(type="SleepAtIteration", iteration=4)]\n')
    work = str(tmp_path / 'work')
    start = time.monotonic()
    code, log = train_tool(
        config, work, options=synthetic_options(tiny_synthetic, 3))
    assert code == EXIT_CODE, log[-3000:]
    assert time.monotonic() - start < 240
    assert 'StallWatchdogHook: no progress for' in log, log[-3000:]
    assert 'since the start of train epoch 3' in log
    assert f'The last good checkpoint, {work}/epoch_2.pth, is kept.' in log
    assert 'loading_faults.py' in log and 'before_train_iter' in log
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))
