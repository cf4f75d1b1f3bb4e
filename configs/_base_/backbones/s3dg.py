# S3D-G (Xie et al. 2018), registered by ascnet_mm. 1024-d output. BN with
# eps 1e-3 and decay 0.999 (PyTorch momentum 0.001), as in TF-slim's S3D-G
# (tensorflow/models) and RSPNet's models/s3dg.py (docs/recipes.md: the
# layout checks). A config that has an R3D-18 backbone swaps it for this one
# with
#   model = dict(backbone=dict(_base_.s3dg, _delete_=True), ...)
# and sets its necks' input width to s3dg_channels.
s3dg = dict(
    type='S3DG',
    gating=True,
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3, momentum=0.001))
s3dg_channels = 1024
