# CVRL on the built-in synthetic set (ours: same budget as ASCNet's). The
# CPU demo keeps its own optimiser (SGD lr 0.1, weight decay 1e-4 on every
# parameter, no warmup) and the mean of the two NT-Xent directions it was
# run with; it inherits the official head BN momentum, which only changes
# the head's running statistics (used by no loss and no evaluation).
_base_ = [
    '../_base_/models/cvrl.py', '../_base_/backbones/r3d18_mmaction.py',
    '../_base_/datasets/synthetic_pretrain.py',
    '../_base_/schedules/synthetic_cosine.py',
    '../_base_/synthetic_runtime.py', '../_base_/online_eval_synthetic.py'
]

model = dict(
    backbone=dict(_base_.r3d18_w16, _delete_=True),
    projector=dict(in_channels=_base_.r3d18_w16_channels, hidden_channels=256),
    loss=dict(sum_directions=False))
sampler = dict(_base_.cvrl_sampler, clip_len=_base_.clip_len)
view_augment = dict(
    _base_.view_augment, blur_prob=(1.0, 0.1), solarize_prob=(0.0, 0.2))
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, _base_.views, _base_.format_shape,
        view_augment, _base_.pack
    ]))
train_cfg = _base_.online_train_cfg
custom_hooks = [*_base_.custom_hooks, _base_.collapse_alarm]
