# ASCNet on the built-in synthetic set (ours): a narrow R3D-18 (the
# r3d18_mmaction layout, base width 16, 128-d output), 8x32x32 views, a few
# CPU-minutes. Used by the tests; `make demo` uses
# ascnet_r18-w16_synthetic_vcreg.py, which inherits it.
_base_ = [
    '../_base_/models/ascnet.py', '../_base_/backbones/r3d18_mmaction.py',
    '../_base_/datasets/synthetic_pretrain.py',
    '../_base_/schedules/synthetic_cosine.py',
    '../_base_/synthetic_runtime.py', '../_base_/online_eval_synthetic.py'
]

hidden_dim = 256
model = dict(
    backbone=dict(_base_.r3d18_w16, _delete_=True),
    app_projector=dict(
        in_channels=_base_.r3d18_w16_channels, hidden_channels=hidden_dim),
    app_predictor=dict(hidden_channels=hidden_dim),
    speed_projector=dict(
        in_channels=_base_.r3d18_w16_channels, hidden_channels=hidden_dim),
    speed_predictor=dict(hidden_channels=hidden_dim),
    bank_size=512)
sampler = dict(
    type='SpeedPairSampler',
    clip_len=_base_.clip_len,
    speeds=(1, 2),
    num_views=2,
    out_of_bound_opt='loop')
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, _base_.views, _base_.format_shape,
        _base_.view_augment, _base_.pack
    ]))
train_cfg = _base_.online_train_cfg
custom_hooks = [*_base_.custom_hooks, _base_.collapse_alarm]
