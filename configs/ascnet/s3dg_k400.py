# ASCNet with S3D-G: same recipe, only the backbone and input size change.
_base_ = './r18_k400.py'

model = dict(
    backbone=dict(_delete_=True, type='S3DG', gating=True),
    app_projector=dict(in_channels=1024),
    speed_projector=dict(in_channels=1024))
clip_len = 16  # 64 in the paper's best setting: memory permitting
views = dict(
    type='MultiViewTransforms',
    transforms=[
        dict(type='Resize', scale=(-1, 256)),
        dict(type='RandomResizedCrop', area_range=(0.2, 1.0),
             aspect_ratio_range=(3 / 4, 4 / 3)),
        dict(type='Resize', scale=(224, 224), keep_ratio=False),
    ])
train_dataloader = dict(
    batch_size=32,
    dataset=dict(pipeline=[
        *_base_.decode_head,
        dict(_base_.sampler, clip_len=clip_len), _base_.decode, views,
        *_base_.format_tail
    ]))
