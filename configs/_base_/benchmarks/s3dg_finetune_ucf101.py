# Finetune S3D-G on UCF-101: only the backbone (and its width) changes.
_base_ = ['./r18_finetune_ucf101.py', '../backbones/s3dg.py']

model = dict(
    backbone=dict(
        _base_.s3dg, _delete_=True, init_cfg=_base_.model.backbone.init_cfg),
    cls_head=dict(in_channels=_base_.s3dg_channels))
