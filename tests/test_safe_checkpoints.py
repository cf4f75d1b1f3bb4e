"""Checkpoints load with ``torch.load(weights_only=True)`` only: ours and
MMEngine's load through the allow-list of ``ascnet_mm/compat.py``; one that
carries any other object is refused with an error naming the file, through
``--resume``, ``load_from``, ``init_cfg=Pretrained``, URLs and the tools
alike, also with ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` in the environment."""
import os
import os.path as osp
import shutil

import pytest
import torch
from helpers import finetune_config, pretrain_config, run_python
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from ascnet_mm.checkpoint import check_backbone_checkpoint
from ascnet_mm.compat import RefusedCheckpointError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
FINETUNE = 'configs/ascnet/benchmarks/ascnet_r18-w16_finetune_synthetic.py'
RETRIEVAL = 'configs/ascnet/benchmarks/ascnet_r18-w16_retrieval_synthetic.py'
# torch honours it only where the call site leaves weights_only out
NO_WEIGHTS_ONLY = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'


@pytest.fixture(scope='module')
def data(tiny_synthetic):
    return tiny_synthetic


@pytest.fixture(scope='module')
def pretrained(ascnet_checkpoint):
    return ascnet_checkpoint


def test_our_checkpoint_loads_weights_only(pretrained):
    ckpt = torch.load(pretrained, weights_only=True)
    assert {
        'meta', 'state_dict', 'message_hub', 'optimizer', 'param_schedulers',
        'rng_state'
    } <= set(ckpt)
    assert 'bank.ptr' in ckpt['state_dict']
    assert 'target.module.backbone.conv1.conv.weight' in ckpt['state_dict']
    (state, ) = ckpt['rng_state']
    assert state['torch'].dtype == torch.uint8
    assert state['numpy'].numel() == 624
    assert ckpt['meta']['epoch'] == 1


@pytest.mark.slow
def test_stock_mmengine_checkpoint_loads_weights_only(data, pretrained,
                                                      tmp_path):
    """A stock Recognizer3D finetune with validation (AccMetric) writes
    numpy scalars and HistoryBuffers into its message hub."""
    cfg = finetune_config(FINETUNE, data, str(tmp_path), epochs=1)
    cfg.model.backbone.init_cfg.checkpoint = pretrained
    Runner.from_cfg(cfg).train()
    best = [f for f in os.listdir(tmp_path) if f.startswith('best_')]
    for name in ['epoch_1.pth'] + best:
        ckpt = torch.load(str(tmp_path / name), weights_only=True)
        assert 'cls_head.fc_cls.weight' in ckpt['state_dict']
    hub = torch.load(str(tmp_path / best[0]), weights_only=True)['message_hub']
    assert best and 'best_score' in hub['runtime_info']


class Canary:
    """Unpickling it would create a file: the checkpoint must be refused
    before that happens."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


@pytest.fixture
def evil(pretrained, tmp_path):
    ckpt = torch.load(pretrained, weights_only=True)
    canary = str(tmp_path / 'canary')
    ckpt['meta']['payload'] = Canary(canary)
    path = str(tmp_path / 'evil.pth')
    torch.save(ckpt, path)
    return path, canary


def check_refusal(message, path):
    assert f'refused to load checkpoint {path}' in message
    assert 'not allow-listed' in message
    assert 'ascnet_mm.compat.SAFE_CHECKPOINT_GLOBALS' in message


def set_no_weights_only(monkeypatch, on):
    """TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 set (``on``) or unset."""
    if on:
        monkeypatch.setenv(NO_WEIGHTS_ONLY, '1')
    else:
        monkeypatch.delenv(NO_WEIGHTS_ONLY, raising=False)


ENV_IDS = ['', 'env_no_weights_only']


@pytest.fixture(params=[False, True], ids=ENV_IDS)
def env(request, monkeypatch):
    """Each in-process refusal test runs twice: as is, and with
    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 set."""
    set_no_weights_only(monkeypatch, request.param)


def test_refused_by_mmengine_loader_and_pretrained_init(evil, env):
    path, canary = evil
    with pytest.raises(RefusedCheckpointError) as err:
        _load_checkpoint(path)
    check_refusal(str(err.value), path)
    from mmaction.registry import MODELS
    backbone = MODELS.build(
        dict(
            type='mmaction.ResNet3d',
            depth=18,
            pretrained=None,
            pretrained2d=False,
            base_channels=8,
            init_cfg=dict(
                type='Pretrained', checkpoint=path, prefix='backbone.')))
    with pytest.raises(RefusedCheckpointError):
        backbone.init_weights()
    with pytest.raises(RefusedCheckpointError):
        check_backbone_checkpoint(path, backbone)
    assert not osp.exists(canary)


# through a whole Runner: load_from as is in the fast tests; resume, and
# both with the variable set, in the slow ones (the loader refuses alike
# either way, as the tests above show)
@pytest.mark.parametrize(
    'no_weights_only',
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=ENV_IDS)
@pytest.mark.parametrize(
    'resume', [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=['load_from', 'resume'])
def test_refused_through_load_from_and_resume(data, evil, tmp_path,
                                              monkeypatch, no_weights_only,
                                              resume):
    set_no_weights_only(monkeypatch, no_weights_only)
    path, canary = evil
    cfg = pretrain_config(ASCNET, data, str(tmp_path / 'work'))
    cfg.load_from = path
    cfg.resume = resume
    with pytest.raises(RefusedCheckpointError) as err:
        Runner.from_cfg(cfg).train()
    check_refusal(str(err.value), path)
    assert not osp.exists(canary)


@pytest.mark.parametrize('url', [
    'https://example.com/evil.pth',
    'open-mmlab://vgg16_caffe',
])
def test_refused_from_a_url(evil, env, url, tmp_path, monkeypatch):
    """torch.hub loads downloads with weights_only=False unless told."""
    path, canary = evil
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    monkeypatch.setattr(torch.hub, 'download_url_to_file',
                        lambda url, dst, *args, **kw: shutil.copy(path, dst))
    with pytest.raises(RefusedCheckpointError, match='refused to load'):
        _load_checkpoint(url)
    assert not osp.exists(canary)


def test_other_loaders_are_refused(evil, monkeypatch):
    path, canary = evil
    monkeypatch.setattr(CheckpointLoader, '_schemes',
                        dict(CheckpointLoader._schemes))

    def load_from_evil(filename, map_location=None):
        return torch.load(filename[len('evil://'):], weights_only=False)

    CheckpointLoader.register_scheme('evil://', load_from_evil)
    for name in ('evil://' + path, 'pavi://some/model.pth'):
        with pytest.raises(RuntimeError) as err:
            _load_checkpoint(name)
        assert str(err.value).startswith(f'refused to load checkpoint {name}'
                                         ': its scheme is read by ')
        assert 'not one of the weights-only loaders' in str(err.value)
    assert not osp.exists(canary)


@pytest.mark.slow
def test_refused_through_test_tool_with_env(data, evil, tmp_path, monkeypatch):
    path, canary = evil
    monkeypatch.setenv(NO_WEIGHTS_ONLY, '1')
    cmd = [
        'tools/test.py', RETRIEVAL, path, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ]
    for key in ('test_dataloader', 'test_cfg.gallery_dataloader'):
        cmd += [
            f'{key}.dataset.ann_file={data}/val.txt',
            f'{key}.dataset.data_prefix.video={data}/videos',
            f'{key}.num_workers=0'
        ]
    proc = run_python(cmd)
    assert proc.returncode != 0
    assert 'RefusedCheckpointError' in proc.stderr
    check_refusal(proc.stderr, path)
    assert not osp.exists(canary)


@pytest.mark.slow
def test_refused_through_train_tool_resume(data, evil, tmp_path):
    path, canary = evil
    cmd = [
        'tools/train.py', ASCNET, '--work-dir',
        str(tmp_path / 'work'), '--resume', path, '--cfg-options',
        f'train_dataloader.dataset.ann_file={data}/'
        'pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}/videos',
        'train_dataloader.num_workers=0', 'train_dataloader.batch_size=4'
    ]
    proc = run_python(cmd)
    assert proc.returncode != 0
    assert 'RefusedCheckpointError' in proc.stderr
    check_refusal(proc.stderr, path)
    assert not osp.exists(canary)
