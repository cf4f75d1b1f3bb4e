# R(2+1)D-18 from MMAction2's ResNet2Plus1d: the R3D-18 stage layout of
# r3d18.py with (2+1)D convolutions, 512-d output like R3D-18. Only the keys
# that differ, so a config that has an R3D-18 backbone merges them into it:
#   model = dict(backbone=_base_.r2plus1d18)
r2plus1d18 = dict(
    type='ResNet2Plus1d',
    conv_cfg=dict(type='Conv2plus1d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3))
