"""The 3D ResNet of 3D-ResNets-PyTorch (Hara et al., CVPR 2018), the "3D
ResNet-18" of RSPNet and ASCNet, as a variant of MMAction2's ResNet3d."""
import torch.nn as nn
from mmaction.models.backbones.resnet3d import ResNet3d
from mmaction.registry import MODELS

__all__ = ['ResNet3dHara']


@MODELS.register_module()
class ResNet3dHara(ResNet3d):
    """MMAction2's ResNet3d in the layout of 3D-ResNets-PyTorch
    (``kenshohara/3D-ResNets-PyTorch: models/resnet.py``).

    Layout (depth 18, input (N, 3, 16, 112, 112)):
    ``conv1`` 7x7x7, stride (1, 2, 2), padding 3, BN, ReLU -> (64, 16, 56, 56);
    ``maxpool`` 3x3x3, stride 2, padding 1 -> (64, 8, 28, 28);
    ``layer1`` .. ``layer4``: basic blocks of two 3x3x3 conv-BN (padding 1),
    stride 1, 2, 2, 2 in time and space in the first block of each stage,
    shortcut type B (1x1x1 conv + BN where the shape changes)
    -> (512, 1, 4, 4). MMAction2's ``pool2`` (a (2, 1, 1) max-pool after
    ``layer1``) is not used.

    Only the defaults differ from :class:`ResNet3d`, and its stem max-pool,
    whose kernel ResNet3d fixes to 1x3x3, pools over 3 frames here. It has no
    parameters, so the state dict has ResNet3d's keys and shapes.

    Args:
        depth (int): 18, 34, 50, 101 or 152. Defaults to 18.
        conv1_kernel (Sequence[int]): Stem conv kernel. Defaults to
            ``(7, 7, 7)``.
        pool1_stride_t (int): Temporal stride of the stem max-pool.
            Defaults to 2.
        with_pool2 (bool): MMAction2's pool after ``layer1``. Defaults to
            False.
        temporal_strides (Sequence[int]): Temporal stride of each stage's
            first block. Defaults to ``(1, 2, 2, 2)``.
        pretrained2d (bool): Inflate 2D weights given by ``pretrained``.
            Defaults to False.
        zero_init_residual (bool): Zero the last BN of each block.
            Defaults to False (3D-ResNets-PyTorch does not).
        **kwargs: Any other :class:`ResNet3d` argument.
    """

    def __init__(self,
                 depth: int = 18,
                 conv1_kernel=(7, 7, 7),
                 pool1_stride_t: int = 2,
                 with_pool2: bool = False,
                 temporal_strides=(1, 2, 2, 2),
                 pretrained2d: bool = False,
                 zero_init_residual: bool = False,
                 **kwargs) -> None:
        super().__init__(
            depth=depth,
            conv1_kernel=conv1_kernel,
            pool1_stride_t=pool1_stride_t,
            with_pool2=with_pool2,
            temporal_strides=temporal_strides,
            pretrained2d=pretrained2d,
            zero_init_residual=zero_init_residual,
            **kwargs)

    def _make_stem_layer(self) -> None:
        """ResNet3d's stem with a 3x3x3 max-pool (padding 1)."""
        super()._make_stem_layer()
        self.maxpool = nn.MaxPool3d(
            kernel_size=3,
            stride=(self.pool1_stride_t, self.pool1_stride_s,
                    self.pool1_stride_s),
            padding=1)
