# RSPNet with S3D-G (lr 0.05 per 64 clips, as published).
_base_ = './r18_k400.py'

model = dict(
    backbone=dict(_delete_=True, type='S3DG', gating=True),
    app_head=dict(in_channels=1024),
    speed_head=dict(in_channels=1024))
optim_wrapper = dict(optimizer=dict(lr=0.05))
