# Short CPU schedule for the built-in synthetic set (ours): 30 epochs, no lr
# scaling.
_base_ = './sgd_cosine_200e.py'

max_epochs = 30
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
param_scheduler = [dict(_base_.cosine_lr, T_max=max_epochs, end=max_epochs)]
auto_scale_lr = dict(enable=False)
