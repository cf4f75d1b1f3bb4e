# CVRL, 3D ResNet-18, Kinetics-400 (paper): two 16-frame clips at stride 2
# with the temporal interval sampler; temporally consistent augmentation with
# blur (p 1.0 / 0.1) and solarisation (p 0 / 0.2) per clip, the colour ops as
# the official code has them (tensorflow/models: official/projects/video_ssl/
# ops/video_ssl_preprocess_ops.py): jitter ops in random order, contrast
# against each channel's mean, saturation scaled in HSV, zero-padded blur,
# solarisation at half the range. The backbone is RSPNet's and ASCNet's 3D
# ResNet-18 (ours: CVRL published R3D-50 and deeper), so the three methods
# compare on one network.
#   tools/dist_train.sh configs/cvrl/cvrl_r18_k400.py 8
_base_ = [
    '../_base_/models/cvrl.py',
    '../_base_/datasets/kinetics400_pretrain.py',
    # the official optimisation (lr 0.32 per 1,024 clips, 5 warmup epochs,
    # L2 1e-6 on kernels only); docs/recipes.md compares every parameter
    '../_base_/schedules/cvrl_sgd_warmup_cosine_200e.py',
    '../_base_/default_runtime.py'
]

sampler = dict(_base_.cvrl_sampler, clip_len=_base_.clip_len)
views = dict(
    _base_.views,
    transforms=[
        _base_.short_side,
        dict(
            _base_.random_crop,
            area_range=(0.3, 1.0),
            aspect_ratio_range=(0.5, 2.0)), _base_.crop_resize
    ])
view_augment = dict(
    _base_.view_augment,
    brightness=0.8,
    contrast=0.8,
    saturation=0.8,
    hue=0.2,
    blur_prob=(1.0, 0.1),
    solarize_prob=(0.0, 0.2),
    solarize_threshold=127.5,
    jitter_order='random',
    contrast_mean='channel',
    saturation_mode='hsv',
    blur_padding='zeros')
# device_crop (the dataset base): colour on the device, as the crop
model = dict(
    data_preprocessor=dict(
        augment=view_augment if _base_.device_crop else None))
# the method's steps in the base's pipeline
own_steps = dict(sampler=sampler, views=views, view_augment=view_augment)
steps = dict(_base_.train_steps, **own_steps)
train_dataloader = dict(
    dataset=dict(pipeline=[
        t for t in steps.values() if t['type'] not in _base_.cpu_only_steps
    ]))
# SyncBN in backbone and head, as the authors' code (use_sync_bn). On the
# CPU, where torch's SyncBatchNorm cannot run, the model keeps BN
# (ascnet_mm.compat).
sync_bn = 'torch'
