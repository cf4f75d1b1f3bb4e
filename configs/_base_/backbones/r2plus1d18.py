# R(2+1)D-18 from MMAction2's ResNet2Plus1d (same stage layout as R3D-18).
backbone = dict(
    type='ResNet2Plus1d',
    depth=18,
    pretrained=None,
    pretrained2d=False,
    conv_cfg=dict(type='Conv2plus1d'),
    norm_cfg=dict(type='SyncBN', requires_grad=True, eps=1e-3),
    conv1_kernel=(3, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    with_pool1=False,
    spatial_strides=(1, 2, 2, 2),
    temporal_strides=(1, 2, 2, 2),
    inflate=(1, 1, 1, 1),
    norm_eval=False,
    zero_init_residual=False)
backbone_channels = 512
