# RSPNet with S3D-G, 16x224x224 and lr 0.05 per 64 clips, as published
# (PeihaoChen/RSPNet: config/pretrain/s3dg.jsonnet).
_base_ = ['./rspnet_r18_k400.py', '../_base_/backbones/s3dg.py']

model = dict(
    backbone=dict(_base_.s3dg, _delete_=True),
    app_head=dict(in_channels=_base_.s3dg_channels),
    speed_head=dict(in_channels=_base_.s3dg_channels))
optim_wrapper = dict(optimizer=dict(lr=0.05))
views = dict(
    _base_.views,
    transforms=[
        dict(_base_.short_side, scale=(-1, 256)),
        dict(_base_.random_crop, area_range=_base_.rspnet_crop_area),
        dict(_base_.crop_resize, scale=(224, 224))
    ])
train_dataloader = dict(
    dataset=dict(pipeline=[
        t for t in [
            _base_.init, _base_.sampler, _base_.decode, views,
            _base_.format_shape, _base_.view_augment, _base_.pack
        ] if t['type'] not in _base_.cpu_only_steps
    ]))
