"""The one-shot GPU check: its wheel list is checked, and its dry run finds
every step resolvable on this (GPU-less) machine."""
import re
import sys
import zipfile

import pytest
from helpers import TOOLS, load_tool, run_command

WHEELS = TOOLS.parent / '.gpu_wheels'


@pytest.fixture(scope='module')
def wheels_tool():
    return load_tool('benchmark/gpu_wheels')


def fake_wheel(folder, filename, requires=()):
    """A wheel holding only its METADATA with ``requires``."""
    name, version = filename.split('-')[:2]
    lines = ['Metadata-Version: 2.1', f'Name: {name}', f'Version: {version}']
    lines += [f'Requires-Dist: {r}' for r in requires]
    with zipfile.ZipFile(folder / filename, 'w') as whl:
        whl.writestr(f'{name}-{version}.dist-info/METADATA', '\n'.join(lines))


def test_wheel_check_names_each_problem(wheels_tool, tmp_path, monkeypatch):
    monkeypatch.setattr(wheels_tool, 'CARRIED',
                        ('mmengine==0.10.7', 'addict', 'decord'))
    fake_wheel(tmp_path, 'mmengine-0.10.7-py3-none-any.whl', [
        'addict', 'opencv-python>=3', 'termcolor',
        'regex; sys_platform == "win32"', 'pytest; extra == "tests"'
    ])
    fake_wheel(tmp_path, 'addict-2.4.0-py3-none-any.whl')
    fake_wheel(tmp_path, 'addict-2.3.0-py3-none-any.whl')
    fake_wheel(tmp_path, 'decord-0.6.0-cp311-cp311-manylinux2010_x86_64.whl')
    assert wheels_tool.check(str(tmp_path)) == [
        'addict: 2 wheels (keep one)',
        'decord-0.6.0-cp311-cp311-manylinux2010_x86_64.whl: not installable '
        'on CPython 3.12 manylinux',
        'mmengine-0.10.7-py3-none-any.whl requires termcolor: neither '
        'carried nor in the GPU image'
    ]
    (tmp_path / 'addict-2.3.0-py3-none-any.whl').unlink()
    (tmp_path / 'decord-0.6.0-cp311-cp311-manylinux2010_x86_64.whl').unlink()
    fake_wheel(tmp_path, 'decord-0.6.0-py3-none-manylinux2010_x86_64.whl')
    fake_wheel(tmp_path, 'termcolor-3.3.0-py3-none-any.whl')
    assert wheels_tool.check(str(tmp_path)) == []
    problems = wheels_tool.check(str(tmp_path), max_mib=1e-6)
    assert len(problems) == 1 and re.fullmatch(
        r'[\d.]+ MiB to carry, over 1e-06 MiB', problems[0])
    (tmp_path / 'termcolor-3.3.0-py3-none-any.whl').unlink()
    monkeypatch.setattr(wheels_tool, 'CARRIED', ('mmengine', 'yapf'))
    assert 'yapf: not in' in wheels_tool.check(str(tmp_path))[0]


@pytest.fixture(scope='module')
def dry_run(tmp_path_factory):
    """``gpu_check.sh --dry-run``: (exit status, report, output)."""
    out = tmp_path_factory.mktemp('gpu_check')
    rc, log = run_command(
        ['bash', 'tools/benchmark/gpu_check.sh', '--dry-run',
         str(out)],
        env=dict(PYTHON=sys.executable),
        timeout=900)
    return rc, (out / 'gpu_check.md').read_text(), log


def sections(report):
    """{title: body} of the report's ``## `` sections."""
    parts = re.split(r'^## (.+)$', report, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.slow
def test_dry_run_resolves_every_step(dry_run):
    rc, report, log = dry_run
    assert rc == 0, report + log[-3000:]
    found = sections(report)
    for title in ('tools/benchmark/train_throughput.py --help',
                  'tools/benchmark/data_throughput.py --help',
                  'tools/train.py --help', 'Pretraining config and overrides',
                  'Kinetics configs of the throughput tools load'):
        assert re.search(r'^ok in \d+ s', found[title], re.M), title
    assert '10 overrides of configs/ascnet/ascnet_r18-w16_synthetic.py ' \
        'name existing keys' in found['Pretraining config and overrides']
    if not WHEELS.is_dir():
        assert 'skipped: .gpu_wheels is absent' in found['Wheels']


@pytest.mark.slow
def test_dry_run_installs_the_wheels_offline_for_python_312(dry_run):
    if not WHEELS.is_dir():
        pytest.skip('.gpu_wheels is absent: tools/benchmark/'
                    'prepare_gpu_wheels.sh downloads it (network needed)')
    rc, report, log = dry_run
    found = sections(report)
    install = found['Wheels install offline for CPython 3.12 (pip --dry-run)']
    assert re.search(r'^ok in', install, re.M), install
    assert re.search(
        r'Would install .*decord-0\.6\.0 .*mmaction2-1\.2\.0 '
        r'mmcv-lite-2\.1\.0 mmengine-0\.10\.7', install)
    check = found['Wheels need only themselves and the GPU image']
    assert re.search(r'\.gpu_wheels: \d+ wheels; [\d.]+ MiB .*; ok', check)
