"""S3D-G: separable 3D Inception with feature gating.

Xie et al., "Rethinking Spatiotemporal Feature Learning: Speed-Accuracy
Trade-offs in Video Classification", ECCV 2018.
"""
from collections import OrderedDict
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['S3DG', 'SelfGating', 'SepInceptionBlock', 'sep_conv3d']

# Inception channels (branch0, branch1 reduce/out, branch2 reduce/out,
# branch3) of Mixed_3b .. Mixed_5c, grouped by stage.
MIXED_CHANNELS = OrderedDict(
    mixed3=OrderedDict(
        mixed3b=(64, (96, 128), (16, 32), 32),
        mixed3c=(128, (128, 192), (32, 96), 64)),
    mixed4=OrderedDict(
        mixed4b=(192, (96, 208), (16, 48), 64),
        mixed4c=(160, (112, 224), (24, 64), 64),
        mixed4d=(128, (128, 256), (24, 64), 64),
        mixed4e=(112, (144, 288), (32, 64), 64),
        mixed4f=(256, (160, 320), (32, 128), 128)),
    mixed5=OrderedDict(
        mixed5b=(256, (160, 320), (32, 128), 128),
        mixed5c=(384, (192, 384), (48, 128), 128)),
)


class SelfGating(nn.Module):
    """Channel-wise feature gating ``x * sigmoid(W mean_THW(x) + b)``.

    Args:
        channels (int): Channels C of the gated feature.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc = nn.Linear(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, C, T, H, W)."""
        gate = torch.sigmoid(self.fc(x.mean(dim=(2, 3, 4))))
        return x * gate[:, :, None, None, None]


def sep_conv3d(in_channels: int,
               out_channels: int,
               kernel_size: int,
               stride: int = 1,
               **cfgs) -> nn.Sequential:
    """(1, k, k) spatial conv-BN-act, then (k, 1, 1) temporal conv-BN-act.

    Padding is ``k // 2`` on every axis, so an axis of length L becomes
    ``ceil(L / stride)``.
    """
    pad = kernel_size // 2
    return nn.Sequential(
        OrderedDict(
            spatial=ConvModule(
                in_channels,
                out_channels, (1, kernel_size, kernel_size),
                stride=(1, stride, stride),
                padding=(0, pad, pad),
                **cfgs),
            temporal=ConvModule(
                out_channels,
                out_channels, (kernel_size, 1, 1),
                stride=(stride, 1, 1),
                padding=(pad, 0, 0),
                **cfgs)))


class SepInceptionBlock(nn.Module):
    """S3D Inception block with optional gating on every branch.

    Branches: 1x1x1; 1x1x1 -> sep 3x3x3; 1x1x1 -> sep 3x3x3;
    3x3x3 max pool -> 1x1x1. Outputs are concatenated on channels.

    Args:
        in_channels (int): Input channels.
        channels (tuple): ``(b0, (b1_reduce, b1), (b2_reduce, b2), b3)``.
        gating (bool): Gate each branch output with :class:`SelfGating`.
        cfgs: ``conv_cfg``, ``norm_cfg``, ``act_cfg`` for every ConvModule.
    """

    def __init__(self, in_channels: int, channels: tuple, gating: bool,
                 **cfgs) -> None:
        super().__init__()
        b0, (b1_mid, b1), (b2_mid, b2), b3 = channels
        branches = [
            [ConvModule(in_channels, b0, 1, **cfgs)],
            [
                ConvModule(in_channels, b1_mid, 1, **cfgs),
                sep_conv3d(b1_mid, b1, 3, **cfgs)
            ],
            [
                ConvModule(in_channels, b2_mid, 1, **cfgs),
                sep_conv3d(b2_mid, b2, 3, **cfgs)
            ],
            [
                nn.MaxPool3d(3, stride=1, padding=1),
                ConvModule(in_channels, b3, 1, **cfgs)
            ],
        ]
        for i, (layers, out) in enumerate(zip(branches, (b0, b1, b2, b3))):
            if gating:
                layers.append(SelfGating(out))
            self.add_module(f'branch{i}', nn.Sequential(*layers))
        self.out_channels = b0 + b1 + b2 + b3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, H, W) -> (N, out_channels, T, H, W)."""
        return torch.cat([
            self.branch0(x),
            self.branch1(x),
            self.branch2(x),
            self.branch3(x)
        ], 1)


@MODELS.register_module()
class S3DG(BaseModule):
    """S3D-G backbone (S3D with feature gating), 1024 output channels.

    Layout: Conv_1a sep 7x7x7 /2 (64) -> MaxPool 1x3x3 /(1,2,2) ->
    Conv_2b 1x1x1 (64) -> Conv_2c sep 3x3x3 (192) [+ gating] ->
    MaxPool 1x3x3 /(1,2,2) -> Mixed_3b, 3c -> MaxPool 3x3x3 /2 ->
    Mixed_4b..4f -> MaxPool 2x2x2 /2 -> Mixed_5b, 5c.

    Every stride halves an axis of length L to ``ceil(L / 2)`` (the last pool
    uses ``ceil_mode``), so an input (N, C, T, H, W) gives
    (N, out_channels, ceil(T / 8), ceil(H / 32), ceil(W / 32)) for any size
    >= 1, e.g. T=4, 32x32 -> (1, 1, 1).

    Stages (for ``frozen_stages``): 0 ``stem`` (Conv_1a .. Conv_2c),
    1 ``mixed3``, 2 ``mixed4``, 3 ``mixed5``.

    Args:
        in_channels (int): Input channels. Defaults to 3.
        width_mult (float): Multiplier of every channel count (rounded, at
            least 1). Defaults to 1.0.
        gating (bool): Feature gating after Conv_2c and on every Inception
            branch (S3D-G); False gives plain S3D. Defaults to True.
        frozen_stages (int): Freeze stages ``0 .. frozen_stages`` (eval mode,
            no gradients); -1 freezes nothing. Defaults to -1.
        norm_eval (bool): Keep every BN layer in eval mode during training.
            Defaults to False.
        conv_cfg (dict): Conv layer config. Defaults to
            ``dict(type='Conv3d')``.
        norm_cfg (dict): Norm layer config. Defaults to
            ``dict(type='BN3d', requires_grad=True)``.
        act_cfg (dict): Activation config. Defaults to
            ``dict(type='ReLU', inplace=True)``.
        init_cfg (dict or list[dict], optional): Appended to the default
            initialisation (Kaiming convs, unit norms, N(0, 0.01) gates) to
            form ``self.init_cfg``; ``BaseModule.init_weights`` applies
            ``Pretrained`` entries last, so a checkpoint wins, e.g.
            ``dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
            Defaults to None.

    Attributes:
        out_channels (int): Channels of the output feature (1024 when
            ``width_mult=1``; the sum of the rounded Mixed_5c branches).
    """

    stage_names = ('stem', 'mixed3', 'mixed4', 'mixed5')

    def __init__(self,
                 in_channels: int = 3,
                 width_mult: float = 1.0,
                 gating: bool = True,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 conv_cfg: dict = dict(type='Conv3d'),
                 norm_cfg: dict = dict(type='BN3d', requires_grad=True),
                 act_cfg: dict = dict(type='ReLU', inplace=True),
                 init_cfg: Optional[dict] = None) -> None:
        user_cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg]
        super().__init__(init_cfg=[
            dict(type='Kaiming', layer='Conv3d'),
            dict(
                type='Constant',
                val=1,
                bias=0,
                layer=['_BatchNorm', 'GroupNorm']),
            dict(type='Normal', std=0.01, bias=0, layer='Linear'),
        ] + [cfg for cfg in user_cfgs if cfg])
        assert width_mult > 0, f'width_mult must be > 0, got {width_mult}'
        assert -1 <= frozen_stages < len(self.stage_names)
        self.in_channels = in_channels
        self.width_mult = width_mult
        self.gating = gating
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        cfgs = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        c = self._scale

        stem = OrderedDict(
            conv1a=sep_conv3d(in_channels, c(64), 7, stride=2, **cfgs),
            pool2a=nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2),
                                padding=(0, 1, 1)),
            conv2b=ConvModule(c(64), c(64), 1, **cfgs),
            conv2c=sep_conv3d(c(64), c(192), 3, **cfgs))
        if gating:
            stem['gate2c'] = SelfGating(c(192))
        self.stem = nn.Sequential(stem)

        pools = dict(
            mixed3=nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2),
                                padding=(0, 1, 1)),
            mixed4=nn.MaxPool3d(3, stride=2, padding=1),
            mixed5=nn.MaxPool3d(2, stride=2, ceil_mode=True))
        channels = c(192)
        for stage, blocks in MIXED_CHANNELS.items():
            layers = OrderedDict(pool=pools[stage])
            for name, spec in blocks.items():
                b0, (b1_mid, b1), (b2_mid, b2), b3 = spec
                scaled = (c(b0), (c(b1_mid), c(b1)), (c(b2_mid), c(b2)), c(b3))
                layers[name] = SepInceptionBlock(channels, scaled, gating,
                                                 **cfgs)
                channels = layers[name].out_channels
            self.add_module(stage, nn.Sequential(layers))
        self.out_channels = channels
        self._freeze_stages()

    def _scale(self, channels: int) -> int:
        return max(1, int(round(channels * self.width_mult)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, T, H, W) -> (N, out_channels, T', H', W')."""
        for name in self.stage_names:
            x = getattr(self, name)(x)
        return x

    def _freeze_stages(self) -> None:
        for name in self.stage_names[:self.frozen_stages + 1]:
            stage = getattr(self, name)
            stage.eval()
            for param in stage.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'S3DG':
        """Set train mode, keeping frozen stages (and BN if norm_eval) in
        eval mode."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
