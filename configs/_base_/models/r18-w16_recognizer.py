# The classifier of the synthetic protocols (ours): the narrow R3D-18 of the
# synthetic pretraining configs (base width 16, 128-d output) and a linear
# head for the synthetic set's 10 classes (I3DHead: pooled feature, dropout
# 0.5, clip scores averaged at test time). Its init_cfg.checkpoint is set by
# the entry config.
_base_ = ['../backbones/r3d18_mmaction.py', './ssl_data_preprocessor.py']

num_classes = 10
model = dict(
    type='Recognizer3D',
    backbone=dict(
        _base_.r3d18_w16,
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    cls_head=dict(
        type='I3DHead',
        num_classes=num_classes,
        in_channels=_base_.r3d18_w16_channels,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        _base_.data_preprocessor, type='ActionDataPreprocessor'))
