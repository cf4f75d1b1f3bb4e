# CVRL, 3D ResNet-18, Kinetics-400 (paper): two 16-frame clips at stride 2
# with the temporal interval sampler; temporally consistent augmentation with
# blur (p 1.0 / 0.1) and solarisation (p 0 / 0.2) per clip. The backbone is
# RSPNet's and ASCNet's 3D ResNet-18 (ours: CVRL published R3D-50 and deeper),
# so the three methods compare on one network.
#   tools/dist_train.sh configs/cvrl/cvrl_r18_k400.py 8
_base_ = [
    '../_base_/models/cvrl.py', '../_base_/datasets/kinetics400_pretrain.py',
    '../_base_/schedules/sgd_cosine_200e.py', '../_base_/default_runtime.py'
]

sampler = dict(
    type='TemporalIntervalSampler',
    clip_len=_base_.clip_len,
    frame_interval=2,
    power=1.0,
    num_views=2)
views = dict(
    type='MultiViewTransforms',
    transforms=[
        dict(type='Resize', scale=(-1, 128)),
        dict(
            type='RandomResizedCrop',
            area_range=(0.3, 1.0),
            aspect_ratio_range=(0.5, 2.0)),
        dict(
            type='Resize',
            scale=(_base_.crop_size, _base_.crop_size),
            keep_ratio=False),
    ])
view_augment = dict(
    type='ViewAugment',
    flip_prob=0.5,
    jitter_prob=0.8,
    brightness=0.8,
    contrast=0.8,
    saturation=0.8,
    hue=0.2,
    grayscale_prob=0.2,
    blur_prob=(1.0, 0.1),
    solarize_prob=(0.0, 0.2))
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, views, _base_.format_shape,
        view_augment, _base_.pack
    ]))
# SyncBN in backbone and head, as the authors' code (use_sync_bn). On the
# CPU, where torch's SyncBatchNorm cannot run, the model keeps BN
# (ascnet_mm.compat).
sync_bn = 'torch'
