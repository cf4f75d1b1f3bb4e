# Finetune protocol on the synthetic set (ours): the narrow R3D-18 with a new
# linear head, all layers trained, 100 epochs (1,500 iterations) at lr 0.01,
# the schedule on which supervision from scratch learns the set
# (docs/synthetic_set.md), so the protocol separates a good initialisation
# from a random one. Not run directly: the entry configs
# configs/<method>/benchmarks/<method>_r18-w16_finetune_synthetic.py set the
# checkpoint (init_cfg.checkpoint).
_base_ = [
    '../models/r18-w16_recognizer.py', '../datasets/synthetic_cls.py',
    '../schedules/synthetic_finetune.py', '../synthetic_runtime.py'
]

max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = [dict(_base_.cosine_lr, T_max=max_epochs, end=max_epochs)]
