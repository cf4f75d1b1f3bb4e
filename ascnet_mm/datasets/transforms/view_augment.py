"""The CPU path of the per-view augmentation, as a pipeline transform."""
import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...models.augmentation import VideoAugmenter


@TRANSFORMS.register_module()
class ViewAugment(BaseTransform):
    """CPU path of :class:`VideoAugmenter` on multi-view clips.

    Required keys: ``imgs`` (V, 3, T, H, W) RGB, uint8 or float in [0, 255]
    (after ``FormatShape(input_format='NCTHW')``).
    Modified keys: ``imgs``, float32 of the same shape.
    Added keys: ``view_augment``, each view's parameters (lists of V values
    by name, see :meth:`VideoAugmenter.sample_params`).

    Draws from torch's global RNG, which MMEngine seeds in every dataloader
    worker. Keyword arguments go to :class:`VideoAugmenter`.
    """

    def __init__(self, **kwargs) -> None:
        self.augmenter = VideoAugmenter(**kwargs)

    def transform(self, results: dict) -> dict:
        imgs = torch.from_numpy(np.ascontiguousarray(results['imgs']))
        params = self.augmenter.sample_params(1, imgs.shape[0])
        out = self.augmenter.apply(imgs.float()[None], params)[0]
        results['imgs'] = out.numpy().astype(np.float32, copy=False)
        results['view_augment'] = {k: v[0].tolist() for k, v in params.items()}
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.augmenter!r})'
