# CVRL with S3D-G: only the backbone changes.
_base_ = ['./cvrl_r18_k400.py', '../_base_/backbones/s3dg.py']

model = dict(
    backbone=dict(_base_.s3dg, _delete_=True),
    projector=dict(in_channels=_base_.s3dg_channels))
