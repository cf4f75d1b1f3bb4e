# Ablation: speed set {1, 2, 4, 8} and a larger SCP bank.
_base_ = './r18_k400.py'
model = dict(bank_size=16384)
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.decode_head, dict(_base_.sampler, speeds=(1, 2, 4, 8)),
    _base_.decode, _base_.views, *_base_.format_tail
]))
