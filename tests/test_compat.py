"""The compatibility module: DRN placeholder, safe checkpoint globals,
Pretrained init_cfg for ResNet3d-family backbones, no SyncBN on the CPU."""
import pickle
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch
from helpers import run_python
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

from ascnet_mm import compat


@pytest.mark.slow
def test_drn_placeholder_imports_models_and_raises_clearly():
    code = ('import ascnet_mm, mmaction.models as m\n'
            'from mmaction.models.localizers import DRN\n'
            'try:\n    DRN()\nexcept ImportError as e:\n    print("ERR", e)\n')
    out = run_python(['-c', code], timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'ERR DRN is not available' in out.stdout
    assert 'localizers/drn' in out.stdout


def test_drn_placeholder_not_installed_when_present(tmp_path, monkeypatch):
    (tmp_path / 'models' / 'localizers' / 'drn').mkdir(parents=True)
    monkeypatch.setattr(compat, '_mmaction_dir', lambda: str(tmp_path))
    saved = {
        k: sys.modules.pop(k)
        for k in list(sys.modules) if k.startswith(compat._DRN_MODULE)
    }
    try:
        assert compat.ensure_drn_placeholder() is False
        assert compat._DRN_MODULE not in sys.modules
    finally:
        sys.modules.update(saved)


def test_drn_placeholder_refuses_after_models_imported(tmp_path, monkeypatch):
    monkeypatch.setattr(compat, '_mmaction_dir', lambda: str(tmp_path))
    saved = {
        k: sys.modules.pop(k)
        for k in list(sys.modules) if k.startswith(compat._DRN_MODULE)
    }
    try:
        with pytest.raises(ImportError, match='Import ascnet_mm first'):
            compat.ensure_drn_placeholder()
    finally:
        sys.modules.update(saved)


def _mmengine_like_checkpoint():
    hub = MessageHub('compat-test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_info('iter', 3)
    buf = HistoryBuffer()
    buf.update(np.float64(0.25))
    return {
        'meta': {
            'epoch': 1,
            'iter': 3,
            'seed': np.int64(7),
            'dtype': np.dtype('float32'),
            'lr': np.float32(0.1),
            'arr': np.arange(3)
        },
        'state_dict': OrderedDict(w=torch.ones(2)),
        'message_hub': hub.state_dict(),
        'extra': buf,
    }


def test_mmengine_checkpoint_loads_weights_only(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    ckpt = torch.load(path, weights_only=True)
    assert ckpt['meta']['seed'] == 7
    assert isinstance(ckpt['extra'], HistoryBuffer)
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert _load_checkpoint(str(path))['meta']['iter'] == 3


class Arbitrary:

    def __reduce__(self):
        return (print, ('side effect', ))


def test_checkpoint_with_arbitrary_object_is_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': Arbitrary()}, path)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load'):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError):
        _load_checkpoint(str(path))


def test_allow_list_is_explicit():
    allowed = compat.allow_mmengine_checkpoint_globals()
    names = {getattr(g, '__name__', str(g)) for g in allowed}
    assert 'HistoryBuffer' in names and '_reconstruct' in names
    assert 'eval' not in names and 'system' not in names
    assert getattr not in allowed


class Ref:
    """Pickles as ``getattr(HistoryBuffer, '__init__')``: must be refused."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_restricted_getattr_refuses_other_targets(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'x': Ref()}, path)
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer'):
        torch.load(path, weights_only=True)
    assert compat.history_buffer_getattr(HistoryBuffer, 'mean') is \
        HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer'):
        compat.history_buffer_getattr(HistoryBuffer, '__init__')


def test_resnet3d_honours_pretrained_init_cfg(tmp_path):
    from mmaction.registry import MODELS
    cfg = dict(
        type='ResNet3d',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        base_channels=8)
    src = MODELS.build(cfg)
    src.init_weights()
    path = tmp_path / 'ssl.pth'
    torch.save(
        {
            'state_dict': {
                'backbone.' + k: v
                for k, v in src.state_dict().items()
            }
        }, path)
    dst = MODELS.build(
        dict(
            cfg,
            init_cfg=dict(
                type='Pretrained', checkpoint=str(path), prefix='backbone.')))
    dst.init_weights()
    for k, v in src.state_dict().items():
        assert torch.equal(dst.state_dict()[k], v), k


def test_cpu_distributed_patch_and_nccl_message(monkeypatch):
    import mmengine.dist.utils as dist_utils
    if torch.cuda.is_available():
        pytest.skip('the patch applies only without CUDA')
    assert compat.allow_cpu_distributed() is True  # idempotent
    assert dist_utils._init_dist_pytorch._ascnet_mm_patched
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('LOCAL_RANK', '0')
    with pytest.raises(RuntimeError, match='backend=gloo'):
        dist_utils._init_dist_pytorch('nccl')


def test_refused_checkpoint_names_file_and_allow_list(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': Arbitrary()}, path)
    with pytest.raises(compat.RefusedCheckpointError) as err:
        _load_checkpoint(str(path))
    msg = str(err.value)
    assert msg.startswith(f'refused to load checkpoint {path}: it contains ')
    assert 'SAFE_CHECKPOINT_GLOBALS' in msg


def test_sync_bn_runs_only_off_the_cpu():
    assert compat.sync_bn_runs_on('cuda')
    assert compat.sync_bn_runs_on(torch.device('cuda', 1))
    assert not compat.sync_bn_runs_on('cpu')
    assert not compat.sync_bn_runs_on(torch.device('meta'))


def test_sync_bn_conversion_is_patched_once():
    import mmengine.runner.runner as runner_module
    patched = runner_module.convert_sync_batchnorm
    assert patched._ascnet_mm_patched
    compat.skip_sync_bn_on_cpu()
    assert runner_module.convert_sync_batchnorm is patched
