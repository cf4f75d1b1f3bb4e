# CVRL 3D ResNet-18, finetuned on HMDB-51 split 3.
_base_ = '../../_base_/benchmarks/r18_finetune_hmdb51_split3.py'
# Loads the output of configs/cvrl/cvrl_r18_k400.py:
pretrained = 'work_dirs/cvrl_r18_k400/epoch_200.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
