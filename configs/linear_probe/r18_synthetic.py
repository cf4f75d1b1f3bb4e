# Linear probe on the synthetic set: frozen backbone, L2-normalised pooled
# feature, one linear layer.
_base_ = '../finetune/r18_synthetic.py'

model = dict(
    type='LinearProbeRecognizer3D',
    cls_head=dict(type='L2NormClsHead', dropout_ratio=0.0, scale=10.0))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0),
    clip_grad=None)
