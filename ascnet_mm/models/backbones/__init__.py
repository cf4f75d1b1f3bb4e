from .s3dg import S3DG

__all__ = ['S3DG']
