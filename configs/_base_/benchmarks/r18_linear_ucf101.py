# Linear probe on UCF-101 split 1: the finetune recipe with a frozen
# backbone, L2-normalised pooled feature, one linear layer.
_base_ = ['./r18_finetune_ucf101.py', './linear_probe.py']

model = _base_.linear_probe_model
optim_wrapper = _base_.linear_probe_optim_wrapper
