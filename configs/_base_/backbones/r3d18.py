# 3D ResNet-18 (Hara et al.; torchvision r3d_18 layout) from MMAction2's
# ResNet3d:
# (3,7,7) stem with spatial stride 2, no max-pool, stride 2 in space-time
# in stages 2-4. 512-d output.
r3d18 = dict(
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
r3d18_channels = 512
