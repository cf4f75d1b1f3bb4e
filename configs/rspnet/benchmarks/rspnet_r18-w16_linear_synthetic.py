# RSPNet narrow 3D ResNet-18, linear probe on the synthetic set.
_base_ = '../../_base_/benchmarks/r18-w16_linear_synthetic.py'
# Loads the output of configs/rspnet/rspnet_r18-w16_synthetic.py:
pretrained = 'work_dirs/rspnet_r18-w16_synthetic/epoch_30.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
