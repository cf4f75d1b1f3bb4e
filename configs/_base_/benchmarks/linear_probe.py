# Linear probe protocol (METHOD.md): frozen backbone, L2-normalised pooled
# feature, one linear layer; SGD lr 0.02, no weight decay (ours). A fragment
# with its own names, inherited beside a finetune base, whose model and
# optimiser it turns into the probe's:
#   model = _base_.linear_probe_model
#   optim_wrapper = _base_.linear_probe_optim_wrapper
linear_probe_model = dict(
    type='LinearProbeRecognizer3D',
    cls_head=dict(type='L2NormClsHead', dropout_ratio=0.0, scale=10.0))
linear_probe_optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0),
    clip_grad=None)
