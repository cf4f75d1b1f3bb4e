# RSPNet 3D ResNet-18, finetuned on UCF-101 split 1.
_base_ = '../../_base_/benchmarks/r18_finetune_ucf101.py'
# Loads the output of configs/rspnet/rspnet_r18_k400.py:
pretrained = 'work_dirs/rspnet_r18_k400/epoch_200.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
