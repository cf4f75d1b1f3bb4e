# R(2+1)D-18 from MMAction2's ResNet2Plus1d: the R3D-18 stage layout with
# (2+1)D convolutions. 512-d output.
_base_ = './r3d18.py'

backbone = dict(
    _base_.backbone,
    type='ResNet2Plus1d',
    conv_cfg=dict(type='Conv2plus1d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3))
