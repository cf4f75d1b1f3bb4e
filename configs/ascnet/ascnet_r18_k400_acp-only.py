# Ablation: ACP only (no speed branch, no bank).
_base_ = './r18_k400.py'
model = dict(scp_loss=None, speed_projector=None, speed_predictor=None)
