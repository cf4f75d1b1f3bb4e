# ASCNet 3D ResNet-18, finetuned on HMDB-51 split 1.
_base_ = '../../_base_/benchmarks/r18_finetune_hmdb51.py'
# Loads the output of configs/ascnet/r18_k400.py:
pretrained = 'work_dirs/r18_k400/epoch_200.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
