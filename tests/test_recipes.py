"""The optimisation recipes of the Kinetics-400 pretraining configs, built
as the Runner builds them: CVRL's official one (weight decay on conv/linear
kernels only, also after SyncBN conversion, lr 0.32 per 1,024 clips, 5
warmup epochs into a 200-epoch cosine, head BN momentum 0.997 in TF's
convention), and RSPNet's (which ASCNet follows): lr 0.1 / 0.05 per 64
clips, weight decay 1e-4 on every parameter, cosine to lr / 1000."""
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch.nn as nn
from helpers import build_uninitialised
from mmaction.registry import MODELS
from mmengine import Config
from mmengine.logging import MMLogger
from mmengine.model import convert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, DefaultScope
from mmengine.runner import Runner
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd

ROOT = Path(__file__).resolve().parents[1]
CVRL_K400 = ['configs/cvrl/cvrl_r18_k400.py', 'configs/cvrl/cvrl_s3dg_k400.py']
# config -> lr per 64 clips (PeihaoChen/RSPNet config/pretrain/*.jsonnet)
RSPNET_RECIPE = {
    'configs/rspnet/rspnet_r18_k400.py': 0.1,
    'configs/rspnet/rspnet_s3dg_k400.py': 0.05,
    'configs/ascnet/r18_k400.py': 0.1,
    'configs/ascnet/ascnet_s3dg_k400.py': 0.05,
    'configs/ascnet/ascnet_r2plus1d18_k400.py': 0.05,
}


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


def load(path):
    return Config.fromfile(str(ROOT / path))


def weight_decays(model, optim_wrapper):
    """{parameter name: its weight decay in the built optimizer}."""
    by_id = {
        id(p): group['weight_decay']
        for group in optim_wrapper.optimizer.param_groups
        for p in group['params']
    }
    return {name: by_id[id(p)] for name, p in model.named_parameters()}


def scaled_lr(cfg, optim_wrapper, world_size, batch_per_gpu):
    """The lr of every param group after MMEngine's ``Runner.scale_lr``
    (auto_scale_lr) on ``world_size`` GPUs of ``batch_per_gpu`` clips."""
    runner = SimpleNamespace(
        _train_dataloader=dict(batch_size=batch_per_gpu),
        world_size=world_size,
        param_schedulers=None,
        logger=MMLogger.get_current_instance())
    Runner.scale_lr(runner, optim_wrapper, cfg.auto_scale_lr)
    lrs = {g['lr'] for g in optim_wrapper.optimizer.param_groups}
    assert len(lrs) == 1, lrs
    return lrs.pop()


def lr_trajectory(cfg, optim_wrapper, epoch_length):
    """The schedulers the Runner builds for ``epoch_length`` iterations per
    epoch, and the lr of every training iteration."""
    schedulers = [
        PARAM_SCHEDULERS.build(
            s,
            default_args=dict(
                optimizer=optim_wrapper, epoch_length=epoch_length))
        for s in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs * epoch_length):
        lrs.append(optim_wrapper.optimizer.param_groups[0]['lr'])
        for s in schedulers:
            s.step()
    return schedulers, lrs


def official_cvrl_lr(step, total, warmup, peak):
    """tf.keras CosineDecay over ``total`` steps from step 0, the first
    ``warmup`` replaced by official LinearWarmup from 0 (video_ssl)."""

    def cosine(t):
        return peak * 0.5 * (1 + math.cos(math.pi * t / total))

    return step / warmup * cosine(warmup) if step < warmup else cosine(step)


# ------------------------------------------------------------------ CVRL
@pytest.mark.parametrize('config', CVRL_K400)
def test_cvrl_weight_decay_on_kernels_only(config):
    cfg = load(config)
    # on the CPU, plain BN until DDP; the values are not read
    model = build_uninitialised(cfg.model)
    # the Runner builds the optimizer after DDP's SyncBN conversion
    for net in (model, convert_sync_batchnorm(model)):
        decays = weight_decays(net,
                               build_optim_wrapper(net, cfg.optim_wrapper))
        kinds = {'kernel': 0, 'norm': 0, 'bias': 0}
        for mod_name, module in net.named_modules():
            for name, _ in module.named_parameters(recurse=False):
                wd = decays[f'{mod_name}.{name}']
                if isinstance(module, _BatchNorm):
                    kind, expected = 'norm', 0.
                elif name == 'bias':
                    kind, expected = 'bias', 0.
                else:
                    assert isinstance(module, (_ConvNd, nn.Linear))
                    assert name == 'weight'
                    kind, expected = 'kernel', 1e-6
                assert wd == expected, (mod_name, name, wd)
                kinds[kind] += 1
        assert all(kinds.values()), kinds
    assert any(isinstance(m, nn.SyncBatchNorm) for m in net.modules())
    assert cfg.optim_wrapper.optimizer.type == 'SGD'
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert not cfg.optim_wrapper.optimizer.get('nesterov', False)


@pytest.mark.parametrize('world_size,batch_per_gpu,lr', [(8, 64, 0.16),
                                                         (16, 64, 0.32),
                                                         (4, 32, 0.04),
                                                         (32, 64, 0.64)])
def test_cvrl_lr_is_0_32_per_1024_clips(world_size, batch_per_gpu, lr):
    cfg = load(CVRL_K400[0])
    optim_wrapper = build_optim_wrapper(
        nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)), cfg.optim_wrapper)
    assert scaled_lr(cfg, optim_wrapper, world_size,
                     batch_per_gpu) == pytest.approx(lr)


@pytest.mark.parametrize('epoch_length', [3, 20])
def test_cvrl_schedule_is_5_warmup_epochs_into_a_200_epoch_cosine(
        epoch_length):
    cfg = load(CVRL_K400[0])
    assert cfg.train_cfg.max_epochs == 200
    optim_wrapper = build_optim_wrapper(nn.Linear(2, 2), cfg.optim_wrapper)
    peak = scaled_lr(cfg, optim_wrapper, 8, 64)
    schedulers, lrs = lr_trajectory(cfg, optim_wrapper, epoch_length)
    total, warmup = 200 * epoch_length, 5 * epoch_length
    assert [type(s).__name__
            for s in schedulers] == ['LinearLR', 'CosineAnnealingLR']
    assert [(s.begin, s.end) for s in schedulers] == [(0, warmup), (0, total)]
    assert schedulers[1].T_max == total
    assert lrs[0] == pytest.approx(1e-3 * peak)
    official = [official_cvrl_lr(i, total, warmup, peak) for i in range(total)]
    # from the end of the warmup on: the official lr
    assert lrs[warmup:] == pytest.approx(official[warmup:], rel=1e-6)
    # during the warmup: within 0.12% of the peak, plus one iteration's
    # step (MMEngine's LinearLR reaches its end factor one iteration early)
    assert max(abs(a - b) for a, b in zip(
        lrs[:warmup], official[:warmup])) <= (1.2e-3 + 1 / warmup) * peak
    assert lrs[warmup] == pytest.approx(peak * 0.5 *
                                        (1 + math.cos(math.pi * 5 / 200)))
    assert lrs[-1] < 1e-4 * peak


def test_cvrl_loss_and_head_follow_the_official_code():
    model = MODELS.build(load(CVRL_K400[0]).model)
    assert model.loss_module.sum_directions
    assert model.loss_module.temperature == 0.1
    bns = [m for m in model.projector.modules() if isinstance(m, _BatchNorm)]
    assert len(bns) == 3
    # TF momentum 0.997 (running = 0.997 * running + 0.003 * batch)
    assert all(bn.momentum == pytest.approx(0.003) for bn in bns)
    assert all(bn.eps == 1e-5 for bn in bns)
    # the backbone keeps TF's 0.9 (the video_classification trainer)
    backbone_bns = [
        m for m in model.backbone.modules() if isinstance(m, _BatchNorm)
    ]
    assert backbone_bns and all(bn.momentum == 0.1 for bn in backbone_bns)


def test_cvrl_synthetic_demo_keeps_its_optimiser_and_mean_loss():
    cfg = load('configs/cvrl/cvrl_r18-w16_synthetic.py')
    assert not cfg.model.loss.sum_directions
    assert cfg.optim_wrapper == dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
        clip_grad=None)
    assert not cfg.auto_scale_lr.enable
    assert [s.type for s in cfg.param_scheduler] == ['CosineAnnealingLR']


# ------------------------------------------------------ RSPNet / ASCNet
@pytest.mark.parametrize('config,lr', list(RSPNET_RECIPE.items()))
def test_rspnet_recipe(config, lr):
    cfg = load(config)
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    net = nn.Sequential(nn.Conv3d(3, 4, 3), nn.BatchNorm3d(4), nn.Linear(4, 2))
    optim_wrapper = build_optim_wrapper(net, cfg.optim_wrapper)
    assert set(weight_decays(net, optim_wrapper).values()) == {1e-4}
    assert optim_wrapper.optimizer.defaults['momentum'] == 0.9
    assert not optim_wrapper.optimizer.defaults['nesterov']
    # lr per 64 clips, on 8 GPUs of the config's batch
    batch = cfg.train_dataloader.batch_size
    peak = scaled_lr(cfg, optim_wrapper, 8, batch)
    assert peak == pytest.approx(lr * 8 * batch / 64)
    epoch_length = 2
    schedulers, lrs = lr_trajectory(cfg, optim_wrapper, epoch_length)
    assert [type(s).__name__ for s in schedulers] == ['CosineAnnealingLR']
    # the authors' torch CosineAnnealingLR(T_max=200, eta_min=lr / 1000),
    # stepped per epoch; ours per iteration: equal at every epoch start
    eta_min = peak / 1000
    for epoch in range(200):
        authors = eta_min + (peak - eta_min) * 0.5 * (
            1 + math.cos(math.pi * epoch / 200))
        assert lrs[epoch * epoch_length] == pytest.approx(authors, rel=1e-6)
