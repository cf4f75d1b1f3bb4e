import os

os.environ.setdefault('OMP_NUM_THREADS', '1')

import pytest  # noqa: E402

# registers everything before mmaction.models
import ascnet_mm  # noqa: E402,F401


@pytest.fixture(scope='session')
def tiny_synthetic(tmp_path_factory):
    """A read-only 12-video synthetic set (32x32, seed 0) shared by the
    session's Runner tests; tests that damage videos make their own."""
    from ascnet_mm.synthetic import generate
    out = tmp_path_factory.mktemp('tiny_synthetic')
    generate(str(out), 12, seed=0, size=32, workers=1)
    return str(out)


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'slow: runs training subprocesses (about a minute or '
        'more); deselect with -m "not slow"')
