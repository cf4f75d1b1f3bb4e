# CVRL S3D-G, finetuned on UCF-101 split 1.
_base_ = '../../_base_/benchmarks/s3dg_finetune_ucf101.py'
# Loads the output of configs/cvrl/cvrl_s3dg_k400.py:
pretrained = 'work_dirs/cvrl_s3dg_k400/epoch_200.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
