"""The shipped configs: every runnable one resolves, has its own default work
dir and at most 3 levels of inheritance, none splices a base list by index,
every protocol loads what a pretraining config of its method and backbone
writes, and the Kinetics-400 pretraining configs train (2 iterations on CPU
through `tools/dist_train.sh`, or one in-process `train_step`)."""
import ast
import functools
import math
import os.path as osp
import re
from pathlib import Path

import mmengine.logging
import pytest
from helpers import build_uninitialised, dist_train
from mmaction.registry import DATASETS, MODELS
from mmengine import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from torch.nn import SyncBatchNorm
from torch.nn.modules.batchnorm import _BatchNorm

from ascnet_mm import compat

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / 'configs'
METHODS = ('ascnet', 'rspnet', 'cvrl')
ALL = sorted(p.relative_to(ROOT).as_posix() for p in CONFIGS.rglob('*.py'))
RUNNABLE = [p for p in ALL if '/_base_/' not in p]
PROTOCOLS = [p for p in RUNNABLE if '/benchmarks/' in p]
PRETRAIN = [p for p in RUNNABLE if p not in PROTOCOLS]
# The promised commands (`tools/dist_train.sh CONFIG 8`) and the losses
# their logs must show.
KINETICS = {
    'configs/ascnet/r18_k400.py': ('loss_acp', 'loss_scp'),
    'configs/ascnet/ascnet_s3dg_k400.py': ('loss_acp', 'loss_scp'),
    'configs/rspnet/rspnet_r18_k400.py': ('loss_avid', 'loss_rsp'),
    'configs/rspnet/rspnet_s3dg_k400.py': ('loss_avid', 'loss_rsp'),
    'configs/cvrl/cvrl_r18_k400.py': ('loss_nt_xent', ),
    'configs/cvrl/cvrl_s3dg_k400.py': ('loss_nt_xent', ),
}
OTHER_KINETICS = [p for p in PRETRAIN if 'k400' in p and p not in KINETICS]
# BN of the Kinetics-400 configs under DDP: SyncBN (ASCNet: ours; CVRL: the
# authors' code), per GPU with Shuffle-BN (RSPNet: the authors' code).
SYNC_BN = dict(ascnet='torch', rspnet=None, cvrl='torch')


@functools.lru_cache(maxsize=None)
def load(path):
    return Config.fromfile(str(ROOT / path))


def base_files(path):
    """Repo-relative paths of the ``_base_`` files of ``path`` (a config's
    repo-relative path), ``mmaction::`` ones left out."""
    tree = ast.parse((ROOT / path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '_base_' for t in node.targets):
            names = ast.literal_eval(node.value)
            names = [names] if isinstance(names, str) else names
            return [
                osp.normpath(osp.join(osp.dirname(path), name))
                for name in names if '::' not in name
            ]
    return []


def depth(path):
    """Levels of inheritance below ``path``: 0 for a config without bases;
    a chain leaf -> a -> b -> c is 3."""
    return max((1 + depth(base) for base in base_files(path)), default=0)


def default_work_dir(path):
    """The work dir of ``tools/train.py CONFIG`` without ``--work-dir``."""
    return load(path).get('work_dir') or osp.join('work_dirs', Path(path).stem)


@pytest.mark.parametrize('path', RUNNABLE)
def test_every_runnable_config_resolves(path):
    assert load(path).model.type


def test_default_work_dirs_are_unique_and_the_promised_name_exists():
    assert 'configs/ascnet/r18_k400.py' in RUNNABLE
    dirs = {}
    for path in RUNNABLE:
        dirs.setdefault(default_work_dir(path), []).append(path)
    assert {d: p for d, p in dirs.items() if len(p) > 1} == {}


def test_inheritance_is_at_most_three_levels():
    for path in ALL:
        for base in base_files(path):
            assert (ROOT / base).exists(), f'{path}: no {base}'
    too_deep = {p: depth(p) for p in ALL}
    assert {p: d for p, d in too_deep.items() if d > 3} == {}


def test_no_config_indexes_into_a_base_list():
    pattern = re.compile(r'_base_(\.\w+)+\s*\[')
    assert [p for p in ALL if pattern.search((ROOT / p).read_text())] == []


def backbone(cfg):
    """The backbone config without its checkpoint."""
    return {
        k: v
        for k, v in cfg.model.backbone.to_dict().items() if k != 'init_cfg'
    }


@pytest.mark.parametrize('path', PROTOCOLS)
def test_protocol_loads_what_its_pretraining_config_writes(path):
    method = Path(path).parent.parent.name
    assert method in METHODS and Path(path).name.startswith(f'{method}_')
    cfg = load(path)
    init = cfg.model.backbone.get('init_cfg')
    assert (init.checkpoint if init else cfg.load_from) == cfg.pretrained
    # named on the config's own lines:
    #   # Loads the output of configs/...:
    #   pretrained = '...'
    line = re.search(
        r"^# Loads the output of (configs/\S+\.py):\npretrained = '(.+)'$",
        (ROOT / path).read_text(), re.M)
    assert line and line[2] == cfg.pretrained, path
    match = re.fullmatch(r'work_dirs/([^/]+)/epoch_(\d+)\.pth', line[2])
    source = f'configs/{method}/{match[1]}.py'
    assert line[1] == source and source in PRETRAIN
    pretrain = load(source)
    assert default_work_dir(source) == f'work_dirs/{match[1]}'
    assert int(match[2]) == pretrain.train_cfg.max_epochs
    assert backbone(cfg) == backbone(pretrain)


def labelled_datasets(cfg):
    """The datasets a protocol runs: retrieval's queries and gallery, or the
    train, val and test sets."""
    gallery = cfg.test_cfg.get('gallery_dataloader')
    if gallery:
        return [cfg.test_dataloader.dataset, gallery.dataset]
    return [
        cfg[key].dataset
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


@pytest.mark.parametrize('path', PROTOCOLS)
def test_protocol_checks_its_lists_and_checkpoint(path):
    cfg = load(path)
    assert cfg.default_hooks.strict_load == dict(type='StrictLoadHook')
    head = cfg.model.get('cls_head')
    for dataset in labelled_datasets(cfg):
        assert dataset.type == 'VideoListDataset'
        if head:
            assert dataset.num_classes == head.num_classes
        else:
            assert dataset.num_classes == (10 if 'synthetic' in path else 101)


PIPELINE = 'train_dataloader.dataset.pipeline'


def tiny_options(config, data):
    """Overrides that run a Kinetics-400 pretraining config on the tiny
    synthetic set: 8-frame, 32x32 views, batch 2, a small bank / queue; the
    backbone stays as configured."""
    options = {
        'train_dataloader.dataset.ann_file': f'{data}/pretrain.txt',
        'train_dataloader.dataset.data_prefix.video': f'{data}/videos',
        'train_dataloader.batch_size': 2,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        # pipeline: init, sampler, decode, views, [format_shape,
        # view_augment,] pack; views (MultiViewTransforms or DeviceCropViews):
        # Resize(-1, short side), RandomResizedCrop, Resize(crop)
        f'{PIPELINE}.1.clip_len': 8,
        f'{PIPELINE}.3.transforms.0.scale': (-1, 40),
        f'{PIPELINE}.3.transforms.2.scale': (32, 32),
    }
    model = load(config).model
    if 'bank_size' in model:
        options['model.bank_size'] = 16
    if 'queue_size' in model:
        options['model.queue_size'] = 8  # a multiple of the global batch 4
    return options


def cfg_option(key, value):
    """``key=value`` as ``--cfg-options`` parses it back."""
    if isinstance(value, tuple):
        value = '(' + ','.join(map(str, value)) + ')'
    return f'{key}={value}'


@pytest.mark.slow
@pytest.mark.parametrize('config', list(KINETICS))
def test_kinetics_config_trains_with_dist_train(config, tiny_synthetic,
                                                tmp_path):
    # 10 pretraining videos, 2 ranks x batch 2, last batch dropped: 2 iters
    options = dict(
        tiny_options(config, tiny_synthetic), **{
            'train_cfg.max_epochs': 1,
            'default_hooks.logger.interval': 1,
            'default_hooks.checkpoint.save_last': False
        })
    log = dist_train(
        config,
        2,
        str(tmp_path),
        options=[cfg_option(k, v) for k, v in options.items()])
    assert 'Epoch(train) [1][2/2]' in log
    for loss in KINETICS[config]:
        assert f' {loss}: ' in log, loss
    # on the CPU SyncBN is skipped, with a warning
    skipped = "sync_bn='torch' not applied: the model is on ['cpu']"
    assert (skipped in log) == bool(load(config).get('sync_bn'))


@pytest.mark.parametrize('config', list(KINETICS) + OTHER_KINETICS)
def test_kinetics_sync_bn_as_published(config):
    assert load(config).get('sync_bn') == SYNC_BN[Path(config).parent.name]


def plain_bn(model):
    return [
        m for m in model.modules()
        if isinstance(m, _BatchNorm) and not isinstance(m, SyncBatchNorm)
    ]


@pytest.mark.parametrize('config',
                         [c for c in KINETICS if SYNC_BN[Path(c).parent.name]])
def test_kinetics_model_converts_to_sync_bn_only_off_the_cpu(
        config, monkeypatch):
    # the runner's conversion, as ascnet_mm.compat patches it
    from mmengine.runner.runner import convert_sync_batchnorm
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = build_uninitialised(load(config).model)
    warnings = []
    monkeypatch.setattr(mmengine.logging, 'print_log',
                        lambda msg, **kwargs: warnings.append(msg))
    num_bn = len(plain_bn(model))
    assert convert_sync_batchnorm(model, 'torch') is model
    assert len(plain_bn(model)) == num_bn
    assert len(warnings) == 1 and 'not applied' in warnings[0]
    # a GPU assumed: every BN layer becomes a SyncBatchNorm
    monkeypatch.setattr(compat, 'sync_bn_runs_on', lambda device: True)
    model = convert_sync_batchnorm(model, 'torch')
    assert plain_bn(model) == []
    assert sum(isinstance(m, SyncBatchNorm) for m in model.modules()) == num_bn
    assert len(warnings) == 1


@pytest.mark.slow  # full-size models (74M parameters), one step each
@pytest.mark.parametrize('config', OTHER_KINETICS)
def test_other_kinetics_config_takes_a_train_step(config, tiny_synthetic):
    cfg = Config.fromfile(str(ROOT / config))
    cfg.merge_from_dict(tiny_options(config, tiny_synthetic))
    with DefaultScope.overwrite_default_scope('mmaction'):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        batch = pseudo_collate([dataset[i] for i in range(2)])
        model = MODELS.build(cfg.model)
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
        log_vars = model.train_step(batch, optim_wrapper)
        views = model.data_preprocessor(batch, True)['inputs']
    assert views.shape[-3:] == (8, 32, 32)
    losses = {
        k: float(v.detach())
        for k, v in log_vars.items() if k.startswith('loss')
    }
    assert all(math.isfinite(v) for v in losses.values()), losses
    # the loss terms the config switches on, and only those
    terms = {f'loss_{t}' for t in ('acp', 'scp') if cfg.model.get(f'{t}_loss')}
    assert cfg.model.type == 'ASCNetRecognizer' and terms
    assert set(losses) - {'loss'} == terms
