# RSPNet with S3D-G, 16x224x224 and lr 0.05 per 64 clips, as published
# (PeihaoChen/RSPNet: config/pretrain/s3dg.jsonnet).
_base_ = ['./rspnet_r18_k400.py', '../_base_/backbones/s3dg.py']

head = dict(in_channels=_base_.s3dg_channels)
model = dict(
    backbone=dict(_base_.s3dg, _delete_=True), app_head=head, speed_head=head)
optim_wrapper = dict(optimizer=dict(lr=0.05))
views = dict(
    _base_.views,
    transforms=[
        _base_.s3dg_short_side, _base_.random_crop, _base_.s3dg_crop_resize
    ])
steps = dict(_base_.steps, views=views)
train_dataloader = dict(
    dataset=dict(pipeline=[
        t for t in steps.values() if t['type'] not in _base_.cpu_only_steps
    ]))
