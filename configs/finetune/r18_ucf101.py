# Finetune a pretrained 3D ResNet-18 on UCF-101 (split 1), reusing MMAction2's
# own UCF-101 recipe (16x112x112; test: 10 clips, centre crop, averaged) with
# our backbone swapped in. Reports top-1, top-5 and mean class accuracy.
#   tools/dist_train.sh configs/finetune/r18_ucf101.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/r18_k400/epoch_200.pth
# Other splits: configs/finetune/r18_ucf101_split2.py / _split3.py.
_base_ = [
    'mmaction::recognition/c3d/c3d_sports1m-pretrained_8xb30-16x1x1-45e_ucf101-rgb.py',  # noqa: E501
    '../_base_/backbones/r3d18.py', '../_base_/models/ssl_data_preprocessor.py'
]
custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)

pretrained = 'work_dirs/r18_k400/epoch_200.pth'  # ASCNet pretraining output
model = dict(
    backbone=dict(
        _delete_=True,
        **_base_.backbone,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='backbone.')),
    cls_head=dict(in_channels=_base_.backbone_channels, spatial_type='avg'),
    data_preprocessor=dict(_base_.data_preprocessor, _delete_=True,
                           type='ActionDataPreprocessor'))
val_evaluator = dict(type='AccMetric',
                     metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
