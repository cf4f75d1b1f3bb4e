# ASCNet with S3D-G (paper): same recipe, only the backbone and input size
# change, and lr 0.05 per 64 clips (ours: RSPNet's S3D-G lr,
# PeihaoChen/RSPNet config/pretrain/s3dg.jsonnet).
_base_ = ['./r18_k400.py', '../_base_/backbones/s3dg.py']

model = dict(
    backbone=dict(_base_.s3dg, _delete_=True),
    app_projector=dict(in_channels=_base_.s3dg_channels),
    speed_projector=dict(in_channels=_base_.s3dg_channels))
optim_wrapper = dict(optimizer=dict(lr=0.05))
clip_len = 16  # 64 in the paper's best setting: memory permitting
views = dict(
    type='MultiViewTransforms',
    transforms=[
        dict(type='Resize', scale=(-1, 256)),
        dict(
            type='RandomResizedCrop',
            area_range=(0.2, 1.0),
            aspect_ratio_range=(3 / 4, 4 / 3)),
        dict(type='Resize', scale=(224, 224), keep_ratio=False),
    ])
sampler = dict(_base_.sampler, clip_len=clip_len)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, views, _base_.format_shape,
        _base_.view_augment, _base_.pack
    ]))
