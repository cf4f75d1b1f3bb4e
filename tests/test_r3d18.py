"""The published 3D ResNet-18 (ResNet3dHara): its layout checked layer by
layer against 3D-ResNets-PyTorch, the R3D-18 of the Kinetics-400 configs,
and their checkpoints in the stock finetune configs."""
import pytest
import torch
import torch.nn as nn
from helpers import build_uninitialised
from mmaction.models.backbones.resnet3d import ResNet3d
from mmaction.registry import MODELS
from mmengine import Config
from mmengine.registry import DefaultScope

from ascnet_mm.models.backbones import ResNet3dHara

# kenshohara/3D-ResNets-PyTorch models/resnet.py (copied as RSPNet's
# models/resnet.py), resnet18 with its default shortcut type B:
# conv1 Conv3d(3, 64, 7, stride (1, 2, 2), padding 3, no bias) + BN + ReLU,
# maxpool MaxPool3d(3, stride 2, padding 1), then per stage (planes, stride)
# two BasicBlocks of conv3x3x3(stride) + BN + ReLU, conv3x3x3 + BN, and in
# the first block where the shape changes a Conv3d 1x1x1 (stride) + BN
# shortcut; no pooling between the stages.
STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))
# (C, T, H, W) after conv1, maxpool, layer1 .. layer4 for 16x112x112.
SHAPES = [(64, 16, 56, 56), (64, 8, 28, 28), (64, 8, 28, 28), (128, 4, 14, 14),
          (256, 2, 7, 7), (512, 1, 4, 4)]
KINETICS = {
    'ascnet': 'configs/ascnet/r18_k400.py',
    'rspnet': 'configs/rspnet/rspnet_r18_k400.py',
    'cvrl': 'configs/cvrl/cvrl_r18_k400.py',
}
FINETUNE = 'configs/{0}/benchmarks/{0}_r18_finetune_ucf101.py'


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


def conv_spec(conv):
    return (conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
            conv.padding, conv.bias is None)


def assert_conv_bn(module, conv, relu):
    """A ConvModule: ``conv`` spec, then BN (default eps, momentum), then
    ReLU if ``relu``."""
    assert conv_spec(module.conv) == conv
    assert type(module.bn) is nn.BatchNorm3d
    assert module.bn.num_features == conv[1]
    assert (module.bn.eps, module.bn.momentum) == (1e-5, 0.1)
    assert module.with_activation == relu
    if relu:
        assert type(module.activate) is nn.ReLU


def test_layout_matches_3d_resnets_pytorch_layer_by_layer():
    model = ResNet3dHara()
    assert_conv_bn(
        model.conv1, (3, 64, (7, 7, 7), (1, 2, 2), (3, 3, 3), True), relu=True)
    pool = model.maxpool
    assert (pool.kernel_size, pool.stride, pool.padding) == (3, (2, 2, 2), 1)
    assert model.with_pool1 and not model.with_pool2
    inplanes = 64
    for i, (planes, stride) in enumerate(STAGES):
        blocks = getattr(model, f'layer{i + 1}')
        assert len(blocks) == 2
        for j, block in enumerate(blocks):
            s = (stride, ) * 3 if j == 0 else (1, 1, 1)
            assert_conv_bn(
                block.conv1, (inplanes, planes, (3, 3, 3), s, (1, 1, 1), True),
                relu=True)
            assert_conv_bn(
                block.conv2,
                (planes, planes, (3, 3, 3), (1, 1, 1), (1, 1, 1), True),
                relu=False)
            if j == 0 and stride > 1:  # shortcut type B
                assert_conv_bn(
                    block.downsample,
                    (inplanes, planes, (1, 1, 1), s, (0, 0, 0), True),
                    relu=False)
            else:
                assert block.downsample is None
            inplanes = planes
    convs = [m for m in model.modules() if isinstance(m, nn.Conv3d)]
    assert len(convs) == 1 + 4 * 2 * 2 + 3


def test_feature_map_shapes():
    model = ResNet3dHara()
    model.init_weights()
    shapes = []
    for name in ('conv1', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4'):
        getattr(model, name).register_forward_hook(
            lambda m, i, o: shapes.append(tuple(o.shape[1:])))
    with torch.no_grad():
        out = model(torch.randn(1, 3, 16, 112, 112))
    assert shapes == SHAPES
    assert out.shape == (1, 512, 1, 4, 4)


def test_stem_max_pool_spans_three_frames():
    # ResNet3d's own 1x3x3 pool with temporal stride 2 would drop frame 3.
    x = torch.zeros(1, 1, 8, 4, 4)
    x[:, :, 3] = 1
    out = ResNet3dHara().maxpool(x)
    assert out[0, 0, :, 0, 0].tolist() == [0, 1, 1, 0]


def test_state_dict_has_resnet3d_keys_and_shapes():
    ours = ResNet3dHara().state_dict()
    stock = ResNet3d(
        depth=18,
        conv1_kernel=(7, 7, 7),
        pool1_stride_t=2,
        with_pool2=False,
        temporal_strides=(1, 2, 2, 2),
        pretrained2d=False).state_dict()
    assert {
        k: v.shape
        for k, v in ours.items()
    } == {
        k: v.shape
        for k, v in stock.items()
    }


def test_kinetics_r3d18_maps_a_clip_to_1x4x4():
    backbones = [Config.fromfile(p).model.backbone for p in KINETICS.values()]
    assert backbones[1:] == backbones[:1] * 2  # one R3D-18 for all three
    backbone = MODELS.build(backbones[0])
    assert type(backbone) is ResNet3dHara
    backbone.init_weights()
    backbone.eval()
    with torch.no_grad():
        out = backbone(torch.randn(1, 3, 16, 112, 112))
    assert out.shape == (1, 512, 1, 4, 4)


@pytest.mark.parametrize('method', list(KINETICS))
def test_kinetics_checkpoint_fills_every_tensor_of_stock_finetune(
        method, tmp_path):
    # the pretraining model's keys, shapes and dtypes (built on the meta
    # device: nothing allocated or initialised); a checkpoint with the
    # backbone random (non-zero) and the other keys (target, necks, bank)
    # present but empty: no value of theirs may be loaded
    with torch.device('meta'):
        pretrain = MODELS.build(Config.fromfile(KINETICS[method]).model)
    torch.manual_seed(0)
    state = {}
    for key, meta in pretrain.state_dict().items():
        if not key.startswith('backbone.'):
            state[key] = torch.empty(0, dtype=meta.dtype)
        elif meta.is_floating_point():
            state[key] = torch.rand(meta.shape, dtype=meta.dtype) + 0.5
        else:
            state[key] = torch.full(meta.shape, 7, dtype=meta.dtype)
    ckpt = tmp_path / 'epoch_200.pth'
    torch.save({'state_dict': state, 'meta': {}}, ckpt)

    cfg = Config.fromfile(FINETUNE.format(method))
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    # uninitialised memory: what the backbone holds after init_weights
    # comes from the checkpoint alone
    finetune = build_uninitialised(cfg.model)
    assert type(finetune).__name__ == 'Recognizer3D'
    finetune.init_weights()
    loaded = finetune.backbone.state_dict()
    saved = {
        k[len('backbone.'):]: v
        for k, v in state.items() if k.startswith('backbone.')
    }
    assert sorted(loaded) == sorted(saved)  # no missing, no unexpected
    for key, value in saved.items():
        assert loaded[key].shape == value.shape, key
        assert torch.equal(loaded[key], value), key
