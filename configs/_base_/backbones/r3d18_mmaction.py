# The R3D-18 of ascnet-mm before the published layout (r3d18.py) became the
# default, kept for its checkpoints and for the synthetic configs: MMAction2's
# ResNet3d with a 3x7x7 stem (spatial stride 2), no stem max-pool, ResNet3d's
# (2, 1, 1) max-pool after stage 1, stride 2 in time and space in stages 2-4.
# 16x112x112 -> 512x1x7x7 (not torchvision's r3d_18, which has no such pool:
# 2x7x7). A config whose backbone is R3D-18 swaps it for this one with
#   model = dict(backbone=dict(_base_.r3d18_mmaction, _delete_=True))
r3d18_mmaction = dict(
    type='ResNet3d',
    depth=18,
    pretrained=None,
    pretrained2d=False,
    base_channels=64,
    conv1_kernel=(3, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    with_pool1=False,
    spatial_strides=(1, 2, 2, 2),
    temporal_strides=(1, 2, 2, 2),
    inflate=(1, 1, 1, 1),
    norm_eval=False,
    zero_init_residual=False)
# The narrow R3D-18 of the synthetic configs (ours): base width 16, 128-d.
r3d18_w16 = dict(r3d18_mmaction, base_channels=16)
r3d18_w16_channels = 128
