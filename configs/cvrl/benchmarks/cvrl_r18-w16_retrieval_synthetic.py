# CVRL narrow 3D ResNet-18, nearest-neighbour retrieval on the synthetic set.
_base_ = '../../_base_/benchmarks/r18-w16_retrieval_synthetic.py'
pretrained = 'work_dirs/cvrl_r18-w16_synthetic/epoch_30.pth'  # configs/cvrl/cvrl_r18-w16_synthetic.py
load_from = pretrained
