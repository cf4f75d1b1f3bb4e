"""The wheels that ``gpu_check.sh`` installs on the GPU machine, checked.

The lent GPU machine (docs/benchmarks.md, "GPU check") has no network,
Python 3.12 and a CUDA build of torch; its image also holds numpy,
opencv-python-headless, scipy, Pillow, matplotlib, rich, PyYAML, einops and
packaging (/work/.library/device/KINDS.md lists them), but none of mmengine,
mmcv, mmaction2 or decord. ``CARRIED`` is what travels in ``.gpu_wheels``
(installed with ``--no-deps``: mmaction2 asks for opencv-contrib-python and
mmengine for opencv-python, both served by the image's headless cv2).

    python tools/benchmark/gpu_wheels.py names          # what to download
    python tools/benchmark/gpu_wheels.py check .gpu_wheels [--data .gpu_data]

``check`` fails unless the folder holds one wheel of each carried name, each
installable on CPython 3.12 manylinux x86-64 (by its tags), every
``Requires-Dist`` of them (markers for Python 3.12 on Linux) is carried or
in ``IMAGE``, and the wheels and data together stay under ``--max-mib``
(the run tool moves at most 64 MiB with the working tree).
"""
import argparse
import glob
import os
import os.path as osp
import re
import sys
import zipfile

CARRIED = ('mmengine==0.10.7', 'mmcv-lite==2.1.0', 'mmaction2==1.2.0',
           'decord==0.6.0', 'addict', 'termcolor', 'yapf', 'platformdirs',
           'importlib_metadata', 'lazy-importer', 'setuptools<80')
# In the GPU image (KINDS.md), or served by what is: cv2 for all three
# OpenCV distributions.
IMAGE = ('numpy', 'torch', 'scipy', 'pillow', 'matplotlib', 'rich', 'pyyaml',
         'einops', 'packaging', 'zipp', 'regex', 'opencv-python-headless',
         'opencv-python', 'opencv-contrib-python')
PLATFORM = ('manylinux2014_x86_64', 'manylinux_2_17_x86_64')
# PEP 508 marker values of the GPU machine's Python.
ENV = {
    'python_version': '3.12',
    'python_full_version': '3.12.3',
    'sys_platform': 'linux',
    'platform_system': 'Linux',
    'platform_machine': 'x86_64',
    'os_name': 'posix',
    'implementation_name': 'cpython',
    'platform_python_implementation': 'CPython',
    'extra': ''
}


def canonical(name: str) -> str:
    """PEP 503 name: lower case, runs of ``-_.`` as one ``-``."""
    return re.sub(r'[-_.]+', '-', name).lower()


def requirement_name(spec: str) -> str:
    return canonical(re.split(r'[\s<>=!~;(\[]', spec.strip(), 1)[0])


def wheel_name(path: str) -> str:
    return canonical(osp.basename(path).split('-')[0])


def requirements(path: str):
    """Names a wheel requires on Python 3.12 / Linux (extras left out)."""
    from packaging.requirements import Requirement
    with zipfile.ZipFile(path) as whl:
        meta = next(n for n in whl.namelist()
                    if n.endswith('.dist-info/METADATA'))
        text = whl.read(meta).decode('utf-8')
    for line in text.splitlines():
        if line.startswith('Requires-Dist:'):
            req = Requirement(line.split(':', 1)[1].strip())
            if req.marker is None or req.marker.evaluate(ENV):
                yield canonical(req.name)


def installable(path: str) -> bool:
    """Whether the wheel's tags fit CPython 3.12 on manylinux x86-64."""
    from packaging.tags import compatible_tags, cpython_tags
    from packaging.utils import parse_wheel_filename
    supported = set(cpython_tags((3, 12), platforms=PLATFORM + ('any', )))
    supported |= set(compatible_tags((3, 12), 'cp312', PLATFORM + ('any', )))
    # decord's manylinux2010 wheel: older manylinux tags run on 2014 too.
    supported |= set(
        compatible_tags((3, 12), 'cp312', ['manylinux2010_x86_64']))
    _, _, _, tags = parse_wheel_filename(osp.basename(path))
    return bool(set(tags) & supported)


def folder_mib(path: str) -> float:
    return sum(
        osp.getsize(osp.join(d, f)) for d, _, files in os.walk(path)
        for f in files) / 2**20


def check(folder: str, data: str = '', max_mib: float = 48.0) -> list:
    """Problems with ``folder`` (empty: fine), as sentences."""
    wheels = sorted(glob.glob(osp.join(folder, '*.whl')))
    names = [wheel_name(w) for w in wheels]
    problems = [
        f'{n}: {names.count(n)} wheels (keep one)' for n in sorted(set(names))
        if names.count(n) > 1
    ]
    wanted = {requirement_name(s) for s in CARRIED}
    problems += [f'{n}: not in {folder}' for n in sorted(wanted - set(names))]
    problems += [
        f'{osp.basename(w)}: not installable on CPython 3.12 manylinux'
        for w in wheels if not installable(w)
    ]
    known = set(names) | {canonical(n) for n in IMAGE}
    for w in wheels:
        problems += [
            f'{osp.basename(w)} requires {r}: neither carried nor in the '
            'GPU image' for r in requirements(w) if r not in known
        ]
    size = folder_mib(folder) + (folder_mib(data) if data else 0)
    if size > max_mib:
        problems.append(f'{size:.1f} MiB to carry, over {max_mib} MiB')
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('names', help='print the pip specs of CARRIED')
    chk = sub.add_parser('check', help='check a wheel folder')
    chk.add_argument('folder')
    chk.add_argument('--data', default='', help='carried data folder')
    chk.add_argument('--max-mib', type=float, default=48.0)
    args = parser.parse_args(argv)
    if args.command == 'names':
        print(' '.join(CARRIED))
        return 0
    problems = check(args.folder, args.data, args.max_mib)
    for p in problems:
        print(f'problem: {p}')
    mib = folder_mib(args.folder) + (folder_mib(args.data) if args.data else 0)
    print(f'{args.folder}: {len(glob.glob(osp.join(args.folder, "*.whl")))} '
          f'wheels; {mib:.1f} MiB with {args.data or "no data"}; '
          f'{"ok" if not problems else f"{len(problems)} problem(s)"}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
