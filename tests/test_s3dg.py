import pytest
import torch
from mmaction.registry import MODELS
from mmengine.registry import DefaultScope
from torch.nn.modules.batchnorm import _BatchNorm

from ascnet_mm.models.backbones import S3DG
from ascnet_mm.models.backbones.s3dg import SelfGating

NUM_GATES = 1 + 4 * 9  # after Conv_2c, then every branch of 9 blocks


def tiny(**kwargs):
    cfg = dict(type='S3DG', width_mult=0.125)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


@pytest.mark.parametrize('width_mult,shape,expected', [
    (0.125, (4, 32, 32), (1, 1, 1)),
    (0.125, (8, 32, 32), (1, 1, 1)),
    (0.125, (16, 32, 64), (2, 1, 2)),
    (0.25, (5, 33, 40), (1, 2, 2)),
])
def test_output_shape(width_mult, shape, expected):
    model = tiny(width_mult=width_mult)
    assert model.out_channels == round(1024 * width_mult)
    out = model(torch.randn(2, 3, *shape))
    assert out.shape == (2, model.out_channels, *expected)
    assert torch.isfinite(out).all()


def test_out_channels_matches_output_when_rounding():
    model = tiny(width_mult=0.3, in_channels=1)
    out = model(torch.randn(2, 1, 4, 32, 32))
    assert out.shape[1] == model.out_channels
    assert model.stem.conv1a.spatial.conv.in_channels == 1


def test_full_width_channels():
    model = S3DG()
    assert model.out_channels == 1024
    assert model.stem.conv2c.temporal.conv.out_channels == 192
    block = model.mixed3.mixed3b
    assert [
        block.branch0[0].conv.out_channels, block.branch1[0].conv.out_channels,
        block.branch1[1].temporal.conv.out_channels,
        block.branch2[0].conv.out_channels,
        block.branch2[1].temporal.conv.out_channels,
        block.branch3[1].conv.out_channels
    ] == [64, 96, 128, 16, 32, 32]
    assert model.mixed4.mixed4f.out_channels == 832


def test_gating_used_and_changes_output():
    gated = tiny().eval()
    plain = tiny(gating=False).eval()
    gates = [m for m in gated.modules() if isinstance(m, SelfGating)]
    assert len(gates) == NUM_GATES
    assert not any(isinstance(m, SelfGating) for m in plain.modules())

    calls = []
    for gate in gates:
        gate.register_forward_hook(lambda m, i, o: calls.append(o))
    x = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        out_gated = gated(x)
        missing, unexpected = plain.load_state_dict(
            gated.state_dict(), strict=False)
        out_plain = plain(x)
    assert len(calls) == NUM_GATES
    assert missing == [] and len(unexpected) == 2 * NUM_GATES
    assert all(k.endswith(('fc.weight', 'fc.bias')) for k in unexpected)
    assert not torch.allclose(out_gated, out_plain)


def test_self_gating_formula():
    gate = SelfGating(4)
    x = torch.randn(2, 4, 3, 5, 5)
    w = torch.sigmoid(gate.fc(x.mean(dim=(2, 3, 4))))
    torch.testing.assert_close(gate(x), x * w.view(2, 4, 1, 1, 1))


def test_gradients_reach_first_conv():
    model = tiny().train()
    model(torch.randn(2, 3, 8, 32, 32)).pow(2).mean().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
    grad = model.stem.conv1a.spatial.conv.weight.grad
    assert grad.abs().sum() > 0


def test_default_init():
    model = tiny()
    for m in model.modules():
        if isinstance(m, _BatchNorm):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0)
        elif isinstance(m, SelfGating):
            assert torch.all(m.fc.bias == 0)
            assert m.fc.weight.std() < 0.05


def test_frozen_stages():
    model = tiny(frozen_stages=1)
    model.train()
    frozen = ('stem.', 'mixed3.')
    for name, param in model.named_parameters():
        assert param.requires_grad == (not name.startswith(frozen)), name
    for name, m in model.named_modules():
        if isinstance(m, _BatchNorm):
            assert m.training == (not name.startswith(frozen)), name
    out = model(torch.randn(2, 3, 4, 32, 32))
    out.sum().backward()
    assert model.stem.conv1a.spatial.conv.weight.grad is None
    assert model.mixed4.mixed4b.branch0[0].conv.weight.grad is not None

    model.eval()
    assert not any(m.training for m in model.modules())


def test_norm_eval():
    model = tiny(norm_eval=True)
    model.train()
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert bns and not any(m.training for m in bns)
    assert all(p.requires_grad for p in model.parameters())
    assert model.mixed5.mixed5c.branch0[0].conv.training


def test_pretrained_init_cfg(tmp_path):
    source = tiny()
    with torch.no_grad():
        for tensor in source.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(torch.randn_like(tensor).abs() + 0.5)
            else:
                tensor.fill_(7)
    ckpt = tmp_path / 'ssl.pth'
    torch.save(
        {
            'state_dict': {
                f'backbone.{k}': v
                for k, v in source.state_dict().items()
            }
        }, ckpt)

    model = tiny(
        init_cfg=dict(
            type='Pretrained', checkpoint=str(ckpt), prefix='backbone.'))
    loaded = model.state_dict()
    expected = source.state_dict()
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        torch.testing.assert_close(loaded[key], value, rtol=0, atol=0)


def test_in_recognizer3d():
    from mmaction.structures import ActionDataSample
    backbone = tiny()
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(
            dict(
                type='Recognizer3D',
                backbone=dict(type='S3DG', width_mult=0.125),
                cls_head=dict(
                    type='I3DHead',
                    num_classes=5,
                    in_channels=backbone.out_channels),
                data_preprocessor=dict(
                    type='ActionDataPreprocessor', format_shape='NCTHW')))
    model.init_weights()
    inputs = [
        torch.randint(0, 255, (1, 3, 8, 32, 32)).float() for _ in range(2)
    ]
    data_samples = [ActionDataSample().set_gt_label(i) for i in (1, 3)]
    data = model.data_preprocessor(
        dict(inputs=inputs, data_samples=data_samples), training=True)
    assert data['inputs'].shape == (2, 1, 3, 8, 32, 32)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert losses['loss_cls'].ndim == 0
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    assert model.backbone.stem.conv1a.spatial.conv.weight.grad is not None


# Output channels of Mixed_3b .. Mixed_5c in the S3D-G paper (Inception-v1's
# table) and in TF-slim's s3dg.py / RSPNet's models/s3dg.py.
MIXED_OUT = [256, 480, 512, 512, 512, 528, 832, 832, 1024]
# (T, H, W) after each stage for a 64x224x224 clip, as TF-slim's s3dg.py
# annotates its endpoints (Conv2d_2c 32x56x56, Mixed_3c 32x28x28, Mixed_4f
# 16x14x14, Mixed_5c 8x7x7).
STAGE_SHAPES = [(32, 56, 56), (32, 28, 28), (16, 14, 14), (8, 7, 7)]


def pool_spec(pool):
    return (pool.kernel_size, pool.stride, pool.padding)


def test_layout_matches_the_reference_s3dg():
    model = S3DG()
    conv1a = model.stem.conv1a
    assert (conv1a.spatial.conv.kernel_size, conv1a.spatial.conv.stride,
            conv1a.spatial.conv.padding) == ((1, 7, 7), (1, 2, 2), (0, 3, 3))
    assert (conv1a.temporal.conv.kernel_size, conv1a.temporal.conv.stride,
            conv1a.temporal.conv.padding) == ((7, 1, 1), (2, 1, 1), (3, 0, 0))
    assert pool_spec(model.stem.pool2a) == ((1, 3, 3), (1, 2, 2), (0, 1, 1))
    assert model.stem.conv2b.conv.kernel_size == (1, 1, 1)
    conv2c = model.stem.conv2c
    assert conv2c.temporal.conv.kernel_size == (3, 1, 1)
    assert conv2c.temporal.conv.out_channels == 192
    assert pool_spec(model.mixed3.pool) == ((1, 3, 3), (1, 2, 2), (0, 1, 1))
    assert pool_spec(model.mixed4.pool) == (3, 2, 1)
    assert pool_spec(model.mixed5.pool) == (2, 2, 0)
    blocks = {
        name: block
        for stage in (model.mixed3, model.mixed4, model.mixed5)
        for name, block in stage.named_children() if name != 'pool'
    }
    assert list(blocks) == [
        f'mixed{i}'
        for i in ('3b', '3c', '4b', '4c', '4d', '4e', '4f', '5b', '5c')
    ]
    assert [b.out_channels for b in blocks.values()] == MIXED_OUT
    for block in blocks.values():
        for branch in (block.branch1, block.branch2):
            assert branch[1].temporal.conv.kernel_size == (3, 1, 1)
        assert pool_spec(block.branch3[0]) == (3, 1, 1)


def test_stage_shapes_of_a_64x224x224_clip():
    model = tiny().eval()
    shapes = []
    for name in S3DG.stage_names:
        getattr(model, name).register_forward_hook(
            lambda m, i, o: shapes.append(tuple(o.shape[2:])))
    with torch.no_grad():
        model(torch.randn(1, 3, 64, 224, 224))
    assert shapes == STAGE_SHAPES


def test_config_bn_as_published():
    from mmengine import Config
    s3dg = Config.fromfile('configs/_base_/backbones/s3dg.py').s3dg
    model = MODELS.build(dict(s3dg, width_mult=0.125))
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert bns and {(m.eps, m.momentum) for m in bns} == {(1e-3, 1e-3)}
