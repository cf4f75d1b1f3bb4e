"""A checkpoint that does not hold the whole backbone (another backbone,
another width, keys without ``backbone.``) stops finetune, linear probe,
test, retrieval and feature extraction before anything runs; the keys a
backbone does not use are ignored."""
import os
import os.path as osp
from types import SimpleNamespace
from unittest import mock

import pytest
import torch
from helpers import load_tool, run_python
from mmaction.registry import MODELS
from mmengine import Config
from mmengine.registry import DefaultScope
from mmengine.runner import BaseLoop, Runner

from ascnet_mm.checkpoint import (CheckpointMismatchError,
                                  check_backbone_checkpoint, strict_load)
from ascnet_mm.engine.hooks import StrictLoadHook

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = osp.join(ROOT, 'configs/ascnet/ascnet_r18-w16_synthetic.py')
PROTOCOL = osp.join(
    ROOT, 'configs/ascnet/benchmarks/ascnet_r18-w16_{}_synthetic.py')


def save_model(path, model_cfg, **backbone):
    """Save a freshly built model's state dict as a checkpoint."""
    model_cfg = dict(
        model_cfg, backbone=dict(model_cfg['backbone'], **backbone))
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(model_cfg)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return str(path)


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    """Checkpoints: an ASCNet pretraining one (w16, with EMA target,
    projectors and bank), one of width 8, one of S3D-G, and the w16
    backbone's keys without ``backbone.``."""
    out = tmp_path_factory.mktemp('ckpts')
    model = Config.fromfile(ASCNET).model.to_dict()
    paths = dict(
        pretrain=save_model(out / 'pretrain.pth', model),
        narrow=save_model(out / 'narrow.pth', model, base_channels=8))
    s3dg = dict(type='VideoFeatureExtractor', backbone=dict(type='S3DG'))
    paths['s3dg'] = save_model(out / 's3dg.pth', s3dg)
    state = torch.load(paths['pretrain'], weights_only=True)['state_dict']
    paths['bare'] = str(out / 'bare.pth')
    torch.save(
        {
            k[len('backbone.'):]: v
            for k, v in state.items() if k.startswith('backbone.')
        }, paths['bare'])
    return paths


@pytest.fixture(scope='module')
def backbone():
    """The narrow R3D-18 (base width 16) of the synthetic protocols."""
    cfg = Config.fromfile(PROTOCOL.format('retrieval'))
    with DefaultScope.overwrite_default_scope('mmaction'):
        return MODELS.build(cfg.model).backbone


def test_pretraining_checkpoint_fits_its_extra_keys_ignored(ckpts, backbone):
    result = check_backbone_checkpoint(ckpts['pretrain'], backbone)
    assert result == dict(missing=[], mismatched=[])


@pytest.mark.parametrize('name, found, cause', [
    ('narrow', '0 missing, 100 with other shapes (backbone.conv1.conv.weight:'
     ' checkpoint (8, 3, 3, 7, 7), model (16, 3, 3, 7, 7); ',
     'the same backbone with another width'),
    ('s3dg', '120 missing (backbone.conv1.conv.weight; '
     'backbone.conv1.bn.weight; backbone.conv1.bn.bias; ...), 0 with other',
     'most keys are missing: a checkpoint of another backbone'),
    ('bare', '120 missing (backbone.conv1.conv.weight;',
     'these keys without the "backbone." prefix'),
])
def test_mismatch_names_file_keys_and_cause(ckpts, backbone, name, found,
                                            cause):
    with pytest.raises(CheckpointMismatchError) as err:
        check_backbone_checkpoint(ckpts[name], backbone, how_to_allow='HOW')
    msg = str(err.value)
    assert msg.startswith(f'checkpoint {ckpts[name]} does not fit the '
                          'backbone (ResNet3d, 120 tensors): ')
    assert found in msg and cause in msg
    assert msg.endswith('Nothing was loaded. To load only the tensors that '
                        'fit (the others stay as initialised): HOW.')


def test_allow_partial_only_warns(ckpts, backbone, monkeypatch):
    logged = []
    monkeypatch.setattr(strict_load, 'print_log',
                        lambda msg, **kw: logged.append((msg, kw['level'])))
    result = check_backbone_checkpoint(
        ckpts['narrow'], backbone, allow_partial=True)
    assert len(result['mismatched']) == 100 and not result['missing']
    ((msg, level), ) = logged
    assert level == 30 and 'another width' in msg
    assert 'allow_partial=True: loading only the tensors that fit' in msg


def fake_runner(model, training, load_from=None, resume=False):
    """What StrictLoadHook reads of a Runner: the model, the train loop
    (built by Runner.train before before_run), load_from and resume."""
    return SimpleNamespace(
        model=model,
        _train_loop=mock.Mock(spec=BaseLoop) if training else None,
        _load_from=load_from,
        _resume=resume)


@pytest.fixture
def finetune_model(ckpts):
    """The synthetic finetune recognizer, its backbone pointing at the
    width-8 checkpoint."""
    cfg = Config.fromfile(PROTOCOL.format('finetune'))
    cfg.model.backbone.init_cfg.checkpoint = ckpts['narrow']
    with DefaultScope.overwrite_default_scope('mmaction'):
        return MODELS.build(cfg.model)


def test_hook_checks_init_cfg_only_when_training(ckpts, finetune_model):
    hook = StrictLoadHook()
    with pytest.raises(CheckpointMismatchError, match='narrow.pth'):
        hook.before_run(fake_runner(finetune_model, training=True))
    # tools/test.py: the weights come from the checkpoint argument only
    hook.before_run(
        fake_runner(finetune_model, False, load_from=ckpts['pretrain']))
    with pytest.raises(CheckpointMismatchError, match='s3dg.pth'):
        hook.before_run(
            fake_runner(finetune_model, False, load_from=ckpts['s3dg']))
    # resuming restores the run's own checkpoint: not checked
    hook.before_run(
        fake_runner(
            finetune_model, False, load_from=ckpts['s3dg'], resume=True))
    StrictLoadHook(allow_partial=True).before_run(
        fake_runner(finetune_model, True, load_from=ckpts['s3dg']))


def data_options(data, loaders):
    opts = {}
    for key in loaders:
        ann = 'train.txt' if key.startswith(('train', 'test_cfg')) else \
            'val.txt'
        opts.update({
            f'{key}.dataset.ann_file': f'{data}/{ann}',
            f'{key}.dataset.data_prefix.video': f'{data}/videos',
            f'{key}.num_workers': 0,
            f'{key}.batch_size': 4
        })
    return opts


@pytest.mark.slow  # a whole Runner
def test_finetune_stops_before_training(tiny_synthetic, ckpts, tmp_path):
    cfg = Config.fromfile(PROTOCOL.format('finetune'))
    cfg.merge_from_dict(
        data_options(tiny_synthetic, ('train_dataloader', 'val_dataloader',
                                      'test_dataloader')))
    cfg.model.backbone.init_cfg.checkpoint = ckpts['s3dg']
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = 'strict_finetune'
    runner = Runner.from_cfg(cfg)
    with pytest.raises(CheckpointMismatchError) as err:
        runner.train()
    assert 'another backbone' in str(err.value)
    assert ('--cfg-options default_hooks.strict_load.allow_partial=True'
            in str(err.value))
    assert runner.iter == 0
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.pth')]


def test_allow_partial_config_option_reaches_the_hook(tmp_path):
    cfg = Config.fromfile(PROTOCOL.format('retrieval'))
    cfg.merge_from_dict({'default_hooks.strict_load.allow_partial': True})
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = 'strict_option'
    hooks = [
        h for h in Runner.from_cfg(cfg).hooks if isinstance(h, StrictLoadHook)
    ]
    assert len(hooks) == 1 and hooks[0].allow_partial


@pytest.mark.slow  # the tool's Runner, twice
def test_extract_features_stops_before_extracting(tiny_synthetic, ckpts,
                                                  tmp_path):
    tool = load_tool('analysis/extract_features')
    args = [
        PROTOCOL.format('retrieval'), ckpts['narrow'], '--out',
        str(tmp_path / 'feats.npz'), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + [
        f'{k}={v}' for k, v in data_options(tiny_synthetic,
                                            ('test_dataloader', )).items()
    ]
    with pytest.raises(CheckpointMismatchError, match='--allow-partial'):
        tool.main(args)
    assert not osp.exists(tmp_path / 'feats.npz')
    out = tool.main(args[:2] + ['--allow-partial'] + args[2:])
    assert out['features'].shape[1] == 128


@pytest.mark.slow
def test_retrieval_tool_exits_nonzero(tiny_synthetic, ckpts, tmp_path):
    options = data_options(tiny_synthetic,
                           ('test_dataloader', 'test_cfg.gallery_dataloader'))
    proc = run_python([
        'tools/test.py',
        PROTOCOL.format('retrieval'), ckpts['s3dg'], '--work-dir',
        str(tmp_path), '--cfg-options'
    ] + [f'{k}={v}' for k, v in options.items()])
    assert proc.returncode != 0
    assert 'CheckpointMismatchError: checkpoint ' + ckpts['s3dg'] in \
        proc.stderr
    assert 'most keys are missing' in proc.stderr
    assert not osp.exists(tmp_path / 'retrieval.json')
