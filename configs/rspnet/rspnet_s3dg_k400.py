# RSPNet with S3D-G (lr 0.05 per 64 clips, as published).
_base_ = ['./rspnet_r18_k400.py', '../_base_/backbones/s3dg.py']

model = dict(
    backbone=dict(_base_.s3dg, _delete_=True),
    app_head=dict(in_channels=_base_.s3dg_channels),
    speed_head=dict(in_channels=_base_.s3dg_channels))
optim_wrapper = dict(optimizer=dict(lr=0.05))
