# RSPNet, 3D ResNet-18, Kinetics-400, 16x112x112 (paper). Views: query at
# speed a, key at a, the key's window at the other speed (decoded once), with
# the authors' sampling and augmentation (_base_/datasets/rspnet_views.py).
#   tools/dist_train.sh configs/rspnet/rspnet_r18_k400.py 8
_base_ = [
    '../_base_/models/rspnet.py', '../_base_/datasets/kinetics400_pretrain.py',
    '../_base_/datasets/rspnet_views.py',
    '../_base_/schedules/sgd_cosine_200e.py', '../_base_/default_runtime.py'
]

sampler = dict(_base_.rspnet_sampler, clip_len=_base_.clip_len)
random_crop = dict(_base_.random_crop, area_range=_base_.rspnet_crop_area)
views = dict(
    _base_.views,
    transforms=[_base_.short_side, random_crop, _base_.crop_resize])
view_augment = dict(_base_.view_augment, **_base_.rspnet_augment)
# the method's steps in the base's pipeline
own_steps = dict(sampler=sampler, views=views, view_augment=view_augment)
steps = dict(_base_.train_steps, **own_steps)
# device_crop (the dataset base): colour on the device, as the crop
model = dict(
    data_preprocessor=dict(
        augment=view_augment if _base_.device_crop else None))
train_dataloader = dict(
    dataset=dict(pipeline=[
        t for t in steps.values() if t['type'] not in _base_.cpu_only_steps
    ]))
# BN: per GPU, with Shuffle-BN in the key encoder, as the authors' code (no
# SyncBN, which would make the shuffle pointless). Schedule: the base's
# cosine to lr / 1000, as published.
