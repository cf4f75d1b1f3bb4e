# Ablation: SCP only (the appearance projector still drives retrieval).
_base_ = './r18_k400.py'
model = dict(acp_loss=None)
