"""ascnet_mm/utils/demo_stages.py: the demo's stages side by side (fake
stages; the demo itself is `make demo`), and the machine line beside its
timings."""
import threading
import time

import pytest

from ascnet_mm.utils.demo_stages import run_stages
from ascnet_mm.utils.machine import cpu_model, cpu_summary, usable_cpus


def recorder():
    """Stages that log their start and end, and how many ran at once."""
    log, lock, now = [], threading.Lock(), [0, 0]

    def stage(name, seconds=0.05, result=None):

        def fn(*deps):
            with lock:
                now[0] += 1
                now[1] = max(now[1], now[0])
                log.append(('start', name, deps))
            time.sleep(seconds)
            with lock:
                now[0] -= 1
                log.append(('end', name))
            return name if result is None else result

        return fn

    return stage, log, now


def test_stages_wait_for_their_deps_and_get_their_results():
    stage, log, _ = recorder()
    results = run_stages(
        {
            'pretrain': (stage('pretrain', result='ckpt'), ()),
            'random': (stage('random'), ()),
            'finetune': (stage('finetune'), ['pretrain']),
            'both': (stage('both'), ['random', 'pretrain']),
        },
        jobs=2)
    assert results == dict(
        pretrain='ckpt', random='random', finetune='finetune', both='both')
    starts = {e[1]: (i, e[2]) for i, e in enumerate(log) if e[0] == 'start'}
    ends = {e[1]: i for i, e in enumerate(log) if e[0] == 'end'}
    assert starts['finetune'] == (starts['finetune'][0], ('ckpt', ))
    assert starts['finetune'][0] > ends['pretrain']
    assert starts['both'][1] == ('random', 'ckpt')
    assert starts['both'][0] > max(ends['pretrain'], ends['random'])


def test_at_most_jobs_run_at_once_and_the_first_ready_goes_first():
    stage, log, now = recorder()
    run_stages({f's{i}': (stage(f's{i}'), ()) for i in range(5)}, jobs=2)
    assert now[1] == 2
    assert [e[1] for e in log if e[0] == 'start'] == [
        's0', 's1', 's2', 's3', 's4'
    ]
    stage, log, now = recorder()
    run_stages({f's{i}': (stage(f's{i}'), ()) for i in range(3)}, jobs=1)
    assert now[1] == 1


def test_a_failure_sets_stop_starts_nothing_more_and_is_raised():
    stage, log, _ = recorder()
    stop = threading.Event()

    def fail():
        raise SystemExit('[bad] tools/train.py failed (exit 1)')

    def long_stage():
        # A running stage sees stop (run_with_progress ends its child).
        assert stop.wait(10)
        return 'ended early'

    with pytest.raises(SystemExit, match='bad.*failed'):
        run_stages(
            {
                'long': (long_stage, ()),
                'bad': (fail, ()),
                'after_bad': (stage('after_bad'), ['bad']),
                'later': (stage('later'), ()),
            },
            jobs=2,
            stop=stop)
    assert stop.is_set()
    assert log == []  # neither 'after_bad' nor 'later' started


def test_unknown_and_cyclic_deps_are_named():
    with pytest.raises(ValueError, match=r"'a' depends on unknown \['b'\]"):
        run_stages({'a': (lambda b: b, ['b'])}, jobs=1)
    with pytest.raises(ValueError, match=r"\['a', 'b'\].*cycle"):
        run_stages({
            'a': (lambda b: b, ['b']),
            'b': (lambda a: a, ['a'])
        }, jobs=2)


def test_cpu_model_reads_lscpus_model_name(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text('processor\t: 0\nvendor_id\t: AuthenticAMD\n'
                       'model name\t: AMD EPYC 7B13\nflags\t\t: avx2\n')
    assert cpu_model(str(cpuinfo)) == 'AMD EPYC 7B13'
    assert cpu_model(str(tmp_path / 'absent'))  # a fallback, never empty


def test_cpu_summary_names_the_cpus_and_the_kernels_isa(monkeypatch):
    import torch
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX2')
    summary = cpu_summary()
    assert summary.startswith(cpu_model() + f', {usable_cpus()} CPUs, ')
    assert summary.endswith(f'torch kernels '
                            f'{torch.backends.cpu.get_cpu_capability()}, '
                            'oneDNN at most AVX2')
