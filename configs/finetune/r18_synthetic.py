# Finetune protocol on the synthetic set: all layers trained, new linear head.
#   python tools/train.py configs/finetune/r18_synthetic.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAINED.pth
_base_ = [
    '../_base_/backbones/r3d18.py', '../_base_/datasets/synthetic_cls.py',
    '../_base_/models/ssl_data_preprocessor.py',
    '../_base_/synthetic_runtime.py'
]

pretrained = 'work_dirs/r18_synthetic/epoch_30.pth'
model = dict(
    type='Recognizer3D',
    backbone=dict(
        _base_.backbone,
        base_channels=16,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='backbone.')),
    cls_head=dict(type='I3DHead', num_classes=_base_.num_classes,
                  in_channels=128, spatial_type='avg', dropout_ratio=0.5,
                  init_std=0.01, average_clips='prob'),
    data_preprocessor=dict(_base_.data_preprocessor,
                           type='ActionDataPreprocessor'))
max_epochs = 10
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_begin=1, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs, save_best=None))
