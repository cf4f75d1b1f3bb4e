# CVRL with S3D-G: only the backbone changes.
_base_ = './r18_k400.py'

model = dict(
    backbone=dict(_delete_=True, type='S3DG', gating=True),
    projector=dict(in_channels=1024))
