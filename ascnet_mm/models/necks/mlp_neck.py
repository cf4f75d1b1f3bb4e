from typing import Optional, Union

import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from torch import Tensor


@MODELS.register_module()
class MLPNeck(BaseModule):
    """MLP projector / predictor / linear head.

    ``num_layers - 1`` blocks of [Linear, BatchNorm1d, ReLU] (width
    ``hidden_channels``) then a Linear to ``out_channels``, optionally
    followed by BatchNorm1d and L2 normalisation. ``num_layers=1`` is a
    single Linear(in_channels, out_channels). The BN layers come from
    ``norm_cfg`` (e.g. ``dict(type='BN1d', momentum=0.003)``: PyTorch's
    momentum is 1 - TensorFlow's, so TF's 0.997 is 0.003).

    Args:
        in_channels (int): input width.
        hidden_channels (int): width of the hidden blocks.
        out_channels (int): output width.
        num_layers (int): number of Linear layers, >= 1.
        with_bias (bool): Linear layers have a bias.
        with_last_bn (bool): BatchNorm1d after the last Linear.
        l2_norm (bool): L2-normalise the output.
        norm_cfg (dict): config of every BN layer (mmcv ``build_norm_layer``).
        init_cfg (dict | list, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 2048,
                 out_channels: int = 128,
                 num_layers: int = 2,
                 with_bias: bool = True,
                 with_last_bn: bool = False,
                 l2_norm: bool = False,
                 norm_cfg: dict = dict(type='BN1d'),
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        assert num_layers >= 1, f'num_layers must be >= 1, got {num_layers}'
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.l2_norm = l2_norm
        widths = [in_channels] + [hidden_channels] * (num_layers - 1)
        layers = []
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            layers += [
                nn.Linear(c_in, c_out, bias=with_bias),
                build_norm_layer(norm_cfg, c_out)[1],
                nn.ReLU(inplace=True)
            ]
        layers.append(nn.Linear(widths[-1], out_channels, bias=with_bias))
        if with_last_bn:
            layers.append(build_norm_layer(norm_cfg, out_channels)[1])
        self.mlp = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """(N, in_channels) (trailing singleton dims allowed) -> (N, out)."""
        x = self.mlp(x.flatten(1))
        return F.normalize(x, dim=1) if self.l2_norm else x
