# Finetune S3D-G on UCF-101: only the backbone (and its width) changes.
_base_ = './r18_ucf101.py'

model = dict(
    backbone=dict(_delete_=True, type='S3DG', gating=True,
                  init_cfg=dict(type='Pretrained',
                                checkpoint='work_dirs/s3dg_k400/epoch_200.pth',
                                prefix='backbone.')),
    cls_head=dict(in_channels=1024))
