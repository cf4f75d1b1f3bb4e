# ASCNet R(2+1)D-18, finetuned on UCF-101 split 1.
_base_ = '../../_base_/benchmarks/r2plus1d18_finetune_ucf101.py'
# Loads the output of configs/ascnet/ascnet_r2plus1d18_k400.py:
pretrained = 'work_dirs/ascnet_r2plus1d18_k400/epoch_200.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
