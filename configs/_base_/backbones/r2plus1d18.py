# R(2+1)D-18 from MMAction2's ResNet2Plus1d: the stage layout of
# r3d18_mmaction.py with (2+1)D convolutions, 512-d output like R3D-18. A
# config that has an R3D-18 backbone swaps it for this one with
#   model = dict(backbone=dict(_base_.r2plus1d18, _delete_=True))
_base_ = './r3d18_mmaction.py'

r2plus1d18 = dict(
    _base_.r3d18_mmaction,
    type='ResNet2Plus1d',
    conv_cfg=dict(type='Conv2plus1d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3))
