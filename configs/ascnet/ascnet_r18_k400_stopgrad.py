# Ablation (ours): stop-gradient siamese target instead of the EMA target.
_base_ = './r18_k400.py'
model = dict(momentum=None)
