import functools
import os
import os.path as osp

os.environ.setdefault('OMP_NUM_THREADS', '1')

import mmengine.config.config as mmengine_config  # noqa: E402
import mmengine.config.utils as mmengine_config_utils  # noqa: E402
import pytest  # noqa: E402
from mmengine.fileio import load  # noqa: E402

# registers everything before mmaction.models
import ascnet_mm  # noqa: E402,F401


@functools.lru_cache(maxsize=None)
def _metafile_configs(package_path):
    """``{config name: model entry}`` of every metafile of an OpenMMLab
    package's ``.mim/model-index.yml``, the first entry of a name."""
    index = load(osp.join(package_path, '.mim', 'model-index.yml'))
    configs = {}
    for meta_path in index['Import']:
        meta = load(osp.join(package_path, '.mim', meta_path))
        for model in meta['Models']:
            if 'Config' in model:
                configs.setdefault(model['Config'].partition('/')[-1], model)
    return configs


def _cfg_metainfo(package_path, cfg_path):
    """MMEngine's ``_get_cfg_metainfo`` on the cached metafiles."""
    configs = _metafile_configs(package_path)
    if cfg_path not in configs:
        raise ValueError(f'Expected configs: {configs.keys()}, but got '
                         f'{cfg_path}')
    return configs[cfg_path]


# Each `mmaction::` base a config names makes MMEngine reload pkg_resources
# and read MMAction2's 36 metafiles again (about 0.1 s a config, most of a
# config's load time); the session reads them once, as they cannot change
# while it runs.
mmengine_config_utils._get_cfg_metainfo = _cfg_metainfo
mmengine_config.is_installed = functools.lru_cache(maxsize=None)(
    mmengine_config.is_installed)


@pytest.fixture(scope='session')
def tiny_synthetic(tmp_path_factory):
    """A read-only 12-video synthetic set (32x32, seed 0) shared by the
    session's Runner tests; tests that damage videos make their own."""
    from ascnet_mm.synthetic import generate
    out = tmp_path_factory.mktemp('tiny_synthetic')
    generate(str(out), 12, seed=0, size=32, workers=1)
    return str(out)


@pytest.fixture(scope='session')
def ascnet_checkpoint(tiny_synthetic, tmp_path_factory):
    """``epoch_1.pth`` of a 1-epoch (3-iteration) ASCNet pretraining (narrow
    R3D-18) on :func:`tiny_synthetic`: with target, bank, optimizer and
    random states. Read-only, shared by the session's checkpoint tests."""
    from helpers import pretrain_config
    from mmengine.runner import Runner
    work = str(tmp_path_factory.mktemp('ascnet_checkpoint'))
    cfg = pretrain_config('configs/ascnet/ascnet_r18-w16_synthetic.py',
                          tiny_synthetic, work)
    Runner.from_cfg(cfg).train()
    return osp.join(work, 'epoch_1.pth')
