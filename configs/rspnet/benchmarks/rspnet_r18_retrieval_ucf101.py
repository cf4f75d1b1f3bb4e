# RSPNet 3D ResNet-18, nearest-neighbour retrieval on UCF-101 split 1.
_base_ = '../../_base_/benchmarks/r18_retrieval_ucf101.py'
# Loads the output of configs/rspnet/rspnet_r18_k400.py:
pretrained = 'work_dirs/rspnet_r18_k400/epoch_200.pth'
load_from = pretrained
