# ASCNet narrow 3D ResNet-18, nearest-neighbour retrieval on the synthetic set.
_base_ = '../../_base_/benchmarks/r18-w16_retrieval_synthetic.py'
# Loads the output of configs/ascnet/ascnet_r18-w16_synthetic.py:
pretrained = 'work_dirs/ascnet_r18-w16_synthetic/epoch_30.pth'
load_from = pretrained
