"""OpenMMLab packaging: model-index.yml and the metafiles name real configs,
and (slow, where openmim is installed: ``make mim``) ``mim search`` lists
them and ``mim train`` / ``mim test`` run the package's configs and tools."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import yaml

from ascnet_mm.utils import METHODS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
MIM = osp.join(osp.dirname(sys.executable), 'mim')


def load_yaml(path):
    with open(osp.join(ROOT, path)) as f:
        return yaml.safe_load(f)


def metafiles():
    return load_yaml('model-index.yml')['Import']


def test_model_index_imports_every_method():
    assert metafiles() == [f'configs/{m}/metafile.yml' for m in METHODS]


@pytest.mark.parametrize('method', METHODS)
def test_metafile_configs_exist(method):
    meta = load_yaml(f'configs/{method}/metafile.yml')
    (collection, ) = meta['Collections']
    assert osp.isfile(osp.join(ROOT, collection['README']))
    assert collection['Paper']['URL'].startswith('https://arxiv.org/abs/')
    names = [m['Name'] for m in meta['Models']]
    assert len(set(names)) == len(names)
    pretrain = sorted(f'configs/{method}/{f}'
                      for f in os.listdir(osp.join(ROOT, 'configs', method))
                      if f.endswith('.py'))
    assert sorted(m['Config'] for m in meta['Models']) == pretrain
    for model in meta['Models']:
        assert model['In Collection'] == collection['Name']
        assert 'Weights' not in model  # none published yet


def mim(*args, cwd, timeout=600):
    """``mim ARGS`` with the repository first on the path (an editable
    install's ascnet_mm.egg-info, written by ``make mim``, is found there)."""
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run([MIM, *args],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=timeout)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log


@pytest.fixture(scope='module')
def mim_ready():
    if not osp.isfile(MIM):
        pytest.skip('openmim is not installed (`make mim` installs it with '
                    '--no-deps: its openxlab dependency would pin '
                    'setuptools, requests, rich, tqdm and urllib3)')
    code = ('import os.path as osp; from mim.utils import get_installed_path;'
            "print(osp.isfile(osp.join(get_installed_path('ascnet_mm'), "
            "'.mim', 'model-index.yml')))")
    out = subprocess.run([sys.executable, '-c', code],
                         env=dict(os.environ, PYTHONPATH=ROOT),
                         capture_output=True,
                         text=True).stdout
    if out.strip() != 'True':
        pytest.skip('mim does not find ascnet_mm/.mim/: an editable install '
                    'without ascnet_mm.egg-info in the repository (`make '
                    'mim` writes it)')


@pytest.mark.slow
def test_mim_search_lists_the_model_index(mim_ready, tmp_path):
    log = mim('search', 'ascnet_mm', cwd=tmp_path)
    for meta in metafiles():
        for model in load_yaml(meta)['Models']:
            assert f'config id: {model["Name"]}' in log


@pytest.mark.slow
def test_mim_train_and_test(mim_ready, tiny_synthetic, tmp_path):
    """Config names resolve inside the package (cwd has no configs/)."""
    data = tiny_synthetic
    mim('train',
        'ascnet_mm',
        'configs/ascnet/ascnet_r18-w16_synthetic.py',
        '--gpus',
        '0',
        '--work-dir',
        str(tmp_path / 'train'),
        '--cfg-options',
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}/videos',
        'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_cfg.max_epochs=1',
        cwd=tmp_path)
    ckpt = tmp_path / 'train' / 'epoch_1.pth'
    assert ckpt.is_file()
    options = []
    for key, ann in (('test_dataloader', 'val.txt'),
                     ('test_cfg.gallery_dataloader', 'train.txt')):
        options += [
            f'{key}.dataset.ann_file={data}/{ann}',
            f'{key}.dataset.data_prefix.video={data}/videos',
            f'{key}.num_workers=0'
        ]
    log = mim(
        'test',
        'ascnet_mm',
        'configs/ascnet/benchmarks/ascnet_r18-w16_retrieval_synthetic.py',
        '--checkpoint',
        str(ckpt),
        '--gpus',
        '0',
        '--work-dir',
        str(tmp_path / 'test'),
        '--cfg-options',
        *options,
        cwd=tmp_path)
    assert 'retrieval/top1' in log
