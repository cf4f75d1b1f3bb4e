# Schedule of the synthetic finetune and linear protocols (ours): 10 epochs,
# SGD lr 0.05 with gradient clipping, cosine to 0, validation at the end.
max_epochs = 10
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
# Cosine to 0 from epoch 0 (MMEngine's defaults: eta_min 0, begin 0,
# by_epoch), stepped per iteration. A config with another length states
# dict(_base_.cosine_lr, T_max=max_epochs, end=max_epochs).
cosine_lr = dict(type='CosineAnnealingLR', convert_to_iter_based=True)
param_scheduler = [dict(cosine_lr, T_max=max_epochs, end=max_epochs)]
