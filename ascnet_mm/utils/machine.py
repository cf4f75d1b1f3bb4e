"""What a timing ran on, for the line printed beside it."""
import os
import platform


def cpu_model(cpuinfo: str = '/proc/cpuinfo') -> str:
    """The processor's name as ``lscpu`` gives it (its ``model name``)."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() == 'model name' and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown CPU'


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, else all)."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_summary() -> str:
    """``'AMD EPYC, 2 CPUs, torch kernels AVX512'``: the processor, the CPUs
    this process may use and the instruction set torch's CPU kernels run
    (``ATEN_CPU_CAPABILITY`` lowers it; ``ONEDNN_MAX_CPU_ISA``, oneDNN's
    convolutions', is named where set)."""
    import torch
    summary = (f'{cpu_model()}, {usable_cpus()} CPUs, torch kernels '
               f'{torch.backends.cpu.get_cpu_capability()}')
    onednn = os.environ.get('ONEDNN_MAX_CPU_ISA')
    if onednn:
        summary += f', oneDNN at most {onednn}'
    return summary
