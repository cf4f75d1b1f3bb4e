# ASCNet with S3D-G (paper): same recipe, only the backbone and input size
# change, and lr 0.05 per 64 clips (ours: RSPNet's S3D-G lr,
# PeihaoChen/RSPNet config/pretrain/s3dg.jsonnet).
_base_ = ['./r18_k400.py', '../_base_/backbones/s3dg.py']

projector = dict(in_channels=_base_.s3dg_channels)
model = dict(
    backbone=dict(_base_.s3dg, _delete_=True),
    app_projector=projector,
    speed_projector=projector)
optim_wrapper = dict(optimizer=dict(lr=0.05))
clip_len = 16  # 64 in the paper's best setting: memory permitting
views = dict(
    _base_.views,
    transforms=[
        _base_.s3dg_short_side, _base_.random_crop, _base_.s3dg_crop_resize
    ])
sampler = dict(_base_.sampler, clip_len=clip_len)
steps = dict(_base_.steps, sampler=sampler, views=views)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(pipeline=[
        t for t in steps.values() if t['type'] not in _base_.cpu_only_steps
    ]))
