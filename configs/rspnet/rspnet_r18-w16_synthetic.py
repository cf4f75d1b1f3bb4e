# RSPNet on the built-in synthetic set (ours: same budget as ASCNet's).
_base_ = [
    '../_base_/models/rspnet.py', '../_base_/backbones/r3d18_mmaction.py',
    '../_base_/datasets/synthetic_pretrain.py',
    '../_base_/schedules/synthetic_cosine.py',
    '../_base_/synthetic_runtime.py', '../_base_/online_eval_synthetic.py'
]

model = dict(
    backbone=dict(_base_.r3d18_w16, _delete_=True),
    app_head=dict(in_channels=_base_.r3d18_w16_channels),
    speed_head=dict(in_channels=_base_.r3d18_w16_channels),
    queue_size=512)
sampler = dict(
    type='RelativeSpeedSampler',
    clip_len=_base_.clip_len,
    fast_speed=2,
    out_of_bound_opt='loop')
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, _base_.views, _base_.format_shape,
        _base_.view_augment, _base_.pack
    ]))
train_cfg = _base_.online_train_cfg
custom_hooks = [*_base_.custom_hooks, _base_.collapse_alarm]
