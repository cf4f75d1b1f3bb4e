# Pretraining schedule (papers): SGD, lr 0.1 per 64 clips (auto-scaled with
# the global batch), cosine to 0 over 200 epochs. No validation unless a
# config adds the online evaluation (configs/_base_/online_eval_*.py).
max_epochs = 200
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
    clip_grad=None)
# Cosine stepped per iteration; a schedule of other length reuses it as
# dict(_base_.cosine_lr, T_max=max_epochs, end=max_epochs).
cosine_lr = dict(
    type='CosineAnnealingLR',
    eta_min=0,
    by_epoch=True,
    begin=0,
    convert_to_iter_based=True)
param_scheduler = [dict(cosine_lr, T_max=max_epochs, end=max_epochs)]
auto_scale_lr = dict(enable=True, base_batch_size=64)
