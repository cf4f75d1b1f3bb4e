from .resnet3d_hara import ResNet3dHara
from .s3dg import S3DG

__all__ = ['ResNet3dHara', 'S3DG']
