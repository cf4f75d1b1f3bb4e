# Linear probe on the synthetic set: the finetune protocol's parts with a
# frozen backbone, L2-normalised pooled feature, one linear layer.
_base_ = [
    '../models/r18-w16_recognizer.py', '../datasets/synthetic_cls.py',
    '../schedules/synthetic_finetune.py', '../synthetic_runtime.py',
    './linear_probe.py'
]

model = _base_.linear_probe_model
optim_wrapper = _base_.linear_probe_optim_wrapper
