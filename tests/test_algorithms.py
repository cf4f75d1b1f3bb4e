"""ASCNet / RSPNet / CVRL models built from the shipped configs."""
import numpy as np
import pytest
import torch
from helpers import build_model as build
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine import Config
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


def batch(model, num=4, views=2, speeds=(1, 2), vids=None, seed=0, size=32):
    """``num`` samples of ``views`` random 8 x ``size`` x ``size`` clips,
    preprocessed by ``model``."""
    g = torch.Generator().manual_seed(seed)
    inputs = list(torch.rand(num, views, 3, 8, size, size, generator=g) * 255)
    samples = []
    for i in range(num):
        s = ActionDataSample()
        s.set_metainfo(
            dict(
                view_speeds=np.array(speeds[:views]),
                video_idx=i if vids is None else vids[i]))
        samples.append(s)
    return model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), True)


def total(losses):
    return sum(v for k, v in losses.items() if k.startswith('loss'))


ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
RSPNET = 'configs/rspnet/rspnet_r18-w16_synthetic.py'
CVRL = 'configs/cvrl/cvrl_r18-w16_synthetic.py'
BENCHMARKS = 'configs/ascnet/benchmarks/ascnet_r18-w16_{}_synthetic.py'


def test_ascnet_losses_and_gradients_reach_online_not_target():
    model = build(ASCNET)
    losses = model(**batch(model), mode='loss')
    assert set(losses) == {'loss_acp', 'loss_scp', 'scp_partner_rate'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert 0 <= losses['loss_acp'] <= 4 and 0 <= losses['loss_scp'] <= 4
    total(losses).backward()
    for name in ('backbone', 'app_projector', 'app_predictor',
                 'speed_projector', 'speed_predictor'):
        grads = [p.grad for p in getattr(model, name).parameters()]
        assert all(g is not None for g in grads), name
        assert sum(g.abs().sum() for g in grads) > 0, name
    for p in model.target.parameters():
        assert p.grad is None and not p.requires_grad


def test_ascnet_target_is_ema_of_online():
    model = build(ASCNET, momentum=0.5, end_momentum=0.5)
    data = batch(model)
    model(**data, mode='loss')  # first update copies the online weights
    online = model.backbone.conv1.conv.weight
    target = model.target.module['backbone'].conv1.conv.weight
    assert torch.equal(online, target)
    before = target.detach().clone()
    with torch.no_grad():
        online.add_(1.0)
    model(**data, mode='loss')
    torch.testing.assert_close(target, 0.5 * before + 0.5 * online.detach())


def test_ascnet_bank_fills_with_global_batch_and_partners_found():
    model = build(ASCNET, bank_size=16)
    losses = model(**batch(model, num=4), mode='loss')
    # speeds (1, 2) per sample: each view has 3 same-speed views of others
    assert losses['scp_partner_rate'] == 1.0
    assert int(model.bank.valid.sum()) == 8
    assert set(model.bank.vid[model.bank.valid].tolist()) == {0, 1, 2, 3}
    assert sorted(
        model.bank.speed[model.bank.valid].tolist()) == [1] * 4 + [2] * 4


def test_ascnet_bank_widths_come_from_the_built_projectors():
    neck = dict(type='MLPNeck', in_channels=64, hidden_channels=32)
    model = build(
        ASCNET,
        app_projector=neck,
        speed_projector=dict(neck, out_channels=24),
        app_predictor=dict(neck, in_channels=128),
        speed_predictor=dict(neck, in_channels=24, out_channels=24))
    # the projectors' configs leave out_channels to MLPNeck's default (128)
    assert model.bank.app.shape[1] == 128
    assert model.bank.speed_emb.shape[1] == 24
    losses = model(**batch(model), mode='loss')
    assert losses['scp_partner_rate'] == 1.0


def test_ascnet_views_without_partner_count_and_contribute_nothing():
    model = build(ASCNET, bank_size=0)
    losses = model(**batch(model, num=2, vids=[5, 5]), mode='loss')
    assert losses['scp_partner_rate'] == 0
    assert losses['loss_scp'] == 0
    total(losses).backward()  # still a valid graph


@pytest.mark.parametrize('overrides,keys', [
    (dict(scp_loss=None, speed_projector=None,
          speed_predictor=None), {'loss_acp'}),
    (dict(acp_loss=None), {'loss_scp', 'scp_partner_rate'}),
    (dict(momentum=None), {'loss_acp', 'loss_scp', 'scp_partner_rate'}),
])
def test_ascnet_ablation_switches(overrides, keys):
    model = build(ASCNET, **overrides)
    losses = model(**batch(model), mode='loss')
    assert set(losses) == keys
    if overrides.get('momentum', 0) is None:
        assert model.target is None
        assert model.target_modules()['backbone'] is model.backbone
    total(losses).backward()


def test_ascnet_needs_a_loss():
    with pytest.raises(ValueError, match='acp_loss, scp_loss or both'):
        build(ASCNET, acp_loss=None, scp_loss=None)


def test_ascnet_missing_view_meta_is_a_clear_error():
    model = build(ASCNET)
    data = batch(model)
    for s in data['data_samples']:
        s.set_metainfo(dict(view_speeds=None))
        del s.view_speeds
    with pytest.raises(KeyError, match='view_speeds'):
        model(**data, mode='loss')


@pytest.mark.slow  # 15 training iterations
def test_ascnet_loss_falls_with_training():
    model = build(ASCNET)
    data = batch(model, num=8)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    first = None
    for _ in range(15):
        loss = total(model(**data, mode='loss'))
        first = float(loss) if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss) < first


def test_predict_averages_clip_features():
    model = build(ASCNET).eval()
    data = batch(model, num=2, views=3)
    out = model(**data, mode='predict')
    feats = model.extract_feat(data['inputs']).view(2, 3, -1).mean(1)
    assert out[0].feature.shape == (64, )
    torch.testing.assert_close(torch.stack([o.feature for o in out]), feats)
    assert model(data['inputs'], mode='tensor').shape[:2] == (6, 64)


def _ssl_checkpoint(model, path):
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return str(path)


def test_r3d18_checkpoint_loads_into_stock_finetune_config(tmp_path):
    model = build(ASCNET)
    model(**batch(model), mode='loss')
    ckpt = _ssl_checkpoint(model, tmp_path / 'ssl.pth')
    cfg = Config.fromfile(BENCHMARKS.format('finetune'))
    cfg.model.backbone.base_channels = 8
    cfg.model.cls_head.in_channels = 64
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    finetune = MODELS.build(cfg.model)
    assert type(finetune).__name__ == 'Recognizer3D'
    finetune.init_weights()
    for k, v in model.backbone.state_dict().items():
        assert torch.equal(finetune.backbone.state_dict()[k], v), k


def test_s3dg_checkpoint_loads_into_stock_recognizer(tmp_path):
    s3dg = dict(type='S3DG', width_mult=0.125)
    model = build(
        ASCNET,
        backbone=s3dg,
        scp_loss=None,
        app_projector=dict(
            type='MLPNeck',
            in_channels=128,
            hidden_channels=32,
            out_channels=16),
        app_predictor=dict(
            type='MLPNeck',
            in_channels=16,
            hidden_channels=32,
            out_channels=16))
    model(**batch(model, num=2), mode='loss')
    ckpt = _ssl_checkpoint(model, tmp_path / 'ssl.pth')
    finetune = MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=dict(
                s3dg,
                init_cfg=dict(
                    type='Pretrained', checkpoint=ckpt, prefix='backbone.')),
            cls_head=dict(type='I3DHead', num_classes=8, in_channels=128),
            data_preprocessor=dict(
                type='ActionDataPreprocessor', format_shape='NCTHW')))
    finetune.init_weights()
    for k, v in model.backbone.state_dict().items():
        assert torch.equal(finetune.backbone.state_dict()[k], v), k


def test_rspnet_losses_queue_and_batch_check():
    model = build(RSPNET, queue_size=8)
    data = batch(model, views=3, speeds=(1, 1, 2))
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_avid', 'loss_rsp'}
    assert int(model.queue.valid.sum()) == 4
    total(losses).backward()
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.target.parameters())
    losses = model(**data, mode='loss')
    assert int(model.queue.valid.sum()) == 8
    bad = build(RSPNET, queue_size=6)
    with pytest.raises(ValueError, match='multiple of'):
        bad(**batch(bad, views=3, speeds=(1, 1, 2)), mode='loss')


def _keys(model, inputs):
    with torch.no_grad():
        return model.keys(inputs)


def test_rspnet_two_key_passes_have_their_own_batch_statistics():
    """Two passes (default, the authors' code): the same-speed keys are the
    key encoder on view 1 alone, whatever view 2 holds; one pass over both
    normalises them with view 2 in the BatchNorm statistics."""
    two, one = build(RSPNET), build(RSPNET, key_passes=1)
    inputs = batch(two, views=3, speeds=(1, 1, 2))['inputs']
    other = inputs.clone()
    other[:, 2] = torch.randn_like(other[:, 2])
    keys, with_other = _keys(two, inputs), _keys(two, other)
    with torch.no_grad():
        alone = two._keys(inputs[:, 1])
    for same in (0, 2):  # k_same, s_same
        torch.testing.assert_close(keys[same], with_other[same])
        torch.testing.assert_close(keys[same], alone[same // 2])
    moved = (_keys(one, inputs)[0] - _keys(one, other)[0]).abs().amax()
    assert moved > 1e-3
    two.eval()  # running statistics: one pass gives the same keys
    by_pass = _keys(two, inputs)
    two.key_passes = 1
    for a, b in zip(by_pass, _keys(two, inputs)):
        torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match='key_passes'):
        build(RSPNET, key_passes=3)


def test_rspnet_queue_init():
    assert not build(RSPNET, queue_size=8).queue.valid.any()
    model = build(RSPNET, queue_size=8, queue_init='random')
    assert model.queue.valid.all()
    torch.testing.assert_close(model.queue.key.norm(dim=1), torch.ones(8))
    initial = model.queue.key.clone()
    data = batch(model, views=3, speeds=(1, 1, 2))
    for _ in range(2):  # queue_size / batch steps replace every random row
        model(**data, mode='loss')
    assert not (model.queue.key[:, None] == initial[None]).all(-1).any()
    with pytest.raises(ValueError, match='queue_init'):
        build(RSPNET, queue_init='zeros')


def test_cvrl_loss():
    model = build(CVRL)
    losses = model(**batch(model, speeds=(2, 2)), mode='loss')
    assert set(losses) == {'loss_nt_xent'}
    # 2N - 1 = 7 candidates: a random init is near log(7)
    assert 0.5 < float(losses['loss_nt_xent']) < 4
    total(losses).backward()


@pytest.mark.parametrize('config,views,speeds,keys', [
    (ASCNET, 2, (1, 2), {'loss_acp', 'loss_scp', 'scp_partner_rate'}),
    (RSPNET, 3, (1, 1, 2), {'loss_avid', 'loss_rsp'}),
    (CVRL, 2, (2, 2), {'loss_nt_xent'}),
])
def test_feature_loss_adds_to_every_method(config, views, speeds, keys):
    extra = dict(queue_size=8) if 'rspnet' in config else {}
    model = build(
        config, feature_loss=dict(type='VarianceCovarianceLoss'), **extra)
    data = batch(model, views=views, speeds=speeds)
    losses = model(**data, mode='loss')
    assert set(losses) == keys | {'loss_var', 'loss_cov'}
    # On the pooled online backbone features of the views the method
    # encodes online: 2 x 4 for ASCNet and CVRL, the 4 queries for RSPNet.
    num_rows = 4 if 'rspnet' in config else 8
    captured = []
    model.feature_loss.register_forward_hook(
        lambda mod, args, out: captured.append(args[0].shape))
    model(**data, mode='loss')
    assert captured == [torch.Size([num_rows, 64])]
    model.zero_grad()
    (losses['loss_var'] + losses['loss_cov']).backward()
    grads = [p.grad for p in model.backbone.parameters()]
    assert sum(g.abs().sum() for g in grads if g is not None) > 0


def test_vcreg_config_adds_the_regulariser_and_strong_colour():
    cfg = Config.fromfile('configs/ascnet/ascnet_r18-w16_synthetic_vcreg.py')
    augment = cfg.train_dataloader.dataset.pipeline[5]
    assert augment.type == 'ViewAugment' and augment.hue == 0.5
    model = build('configs/ascnet/ascnet_r18-w16_synthetic_vcreg.py')
    losses = model(**batch(model), mode='loss')
    assert {'loss_acp', 'loss_scp', 'loss_var', 'loss_cov'} <= set(losses)


def test_linear_probe_backbone_stays_frozen():
    cfg = Config.fromfile(BENCHMARKS.format('linear'))
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.base_channels = 8
    cfg.model.cls_head.in_channels = 64
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert not any(m.training for m in model.backbone.modules())
    inputs = list(torch.rand(2, 1, 3, 8, 32, 32) * 255)
    samples = [ActionDataSample().set_gt_label(i) for i in range(2)]
    data = model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), True)
    loss = model(**data, mode='loss')['loss_cls']
    loss.backward()
    assert model.cls_head.fc_cls.weight.grad.abs().sum() > 0
