# S3D-G (Xie et al. 2018), registered by ascnet_mm. 1024-d output.
# A config that has an R3D-18 backbone swaps it for this one with
#   model = dict(backbone=dict(_base_.s3dg, _delete_=True), ...)
# and sets its necks' input width to s3dg_channels.
s3dg = dict(type='S3DG', gating=True)
s3dg_channels = 1024
