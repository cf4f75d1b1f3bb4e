# RSPNet on the built-in synthetic set (ours: same budget as ASCNet's), with
# the RSPNet recipe's sampling and augmentation (_base_/datasets/
# rspnet_views.py) except flips (the synthetic labels are motion directions).
_base_ = [
    '../_base_/models/rspnet.py', '../_base_/datasets/synthetic_pretrain.py',
    '../_base_/datasets/rspnet_views.py',
    '../_base_/schedules/synthetic_cosine.py', '../_base_/synthetic_runtime.py'
]

model = dict(
    backbone=dict(base_channels=16),
    app_head=dict(in_channels=128),
    speed_head=dict(in_channels=128),
    queue_size=512)
sampler = dict(_base_.rspnet_sampler, clip_len=_base_.clip_len)
views = dict(
    _base_.views,
    transforms=[
        dict(_base_.random_crop, area_range=_base_.rspnet_crop_area),
        _base_.crop_resize
    ])
view_augment = dict(_base_.view_augment,
                    **_base_.rspnet_augment)  # flip_prob 0 kept
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, views, _base_.format_shape,
        view_augment, _base_.pack
    ]))
