# S3D-G (Xie et al. 2018), registered by ascnet_mm. 1024-d output.
backbone = dict(type='S3DG', gating=True)
backbone_channels = 1024
