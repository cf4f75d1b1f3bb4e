# Ablation: speed set {1, 2, 4, 8} and a larger SCP bank (ours).
_base_ = './r18_k400.py'

model = dict(bank_size=16384)
sampler = dict(_base_.sampler, speeds=(1, 2, 4, 8))
steps = dict(_base_.steps, sampler=sampler)
train_dataloader = dict(
    dataset=dict(pipeline=[
        t for t in steps.values() if t['type'] not in _base_.cpu_only_steps
    ]))
