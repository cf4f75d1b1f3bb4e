# Finetune protocol, 3D ResNet-18 on UCF-101 split 1: MMAction2's own UCF-101
# recipe (16x112x112; test: 10 clips, centre crop, averaged) with our backbone
# swapped in; all layers trained, new linear head. Reports top-1, top-5 and
# mean class accuracy. VideoListDataset reads the lists and checks every
# label against the head's num_classes when it is built (MMAction2's
# VideoDataset would fail mid-epoch). Not run directly: the entry configs
# configs/<method>/benchmarks/<method>_r18_finetune_ucf101.py set the
# checkpoint (init_cfg.checkpoint).
_base_ = [
    'mmaction::recognition/c3d/c3d_sports1m-pretrained_8xb30-16x1x1-45e_ucf101-rgb.py',  # noqa: E501
    '../backbones/r3d18.py',
    '../models/ssl_data_preprocessor.py',
    '../datasets/finetune_splits.py'
]
custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)

labelled_dataset = dict(
    type='VideoListDataset', num_classes=_base_.model.cls_head.num_classes)
model = dict(
    backbone=dict(
        _delete_=True,
        **_base_.r3d18,
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    cls_head=dict(in_channels=_base_.r3d18_channels, spatial_type='avg'),
    data_preprocessor=dict(
        _base_.data_preprocessor, _delete_=True,
        type='ActionDataPreprocessor'))
train_dataloader = dict(dataset=labelled_dataset)
val_dataloader = dict(dataset=labelled_dataset)
test_dataloader = dict(dataset=labelled_dataset)
# Check that the checkpoint holds the whole backbone before training or
# testing (init_cfg and tools/test.py's checkpoint alike); stop a run that
# makes no progress for 30 min (ours), as the pretraining runtime does.
default_hooks = dict(strict_load=dict(type='StrictLoadHook'))
custom_hooks = [dict(type='StallWatchdogHook')]
val_evaluator = dict(
    type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
