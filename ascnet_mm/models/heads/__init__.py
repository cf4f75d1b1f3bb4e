from .l2norm_cls_head import L2NormClsHead

__all__ = ['L2NormClsHead']
