"""The worker side of the device-side crop: ship the decoded frames once
with each view's crop box; ``SSLDataPreprocessor`` cuts the views."""
from typing import Callable, List, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmaction.datasets.transforms import RandomResizedCrop
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

# The keys this transform adds, for ``PackActionInputs(meta_keys=...)``.
DEVICE_CROP_KEYS = ('view_frames', 'view_boxes', 'crop_size')


def _type_name(step: Union[dict, Callable]) -> str:
    if isinstance(step, dict):
        t = step['type']
        return t if isinstance(t, str) else t.__name__
    return type(step).__name__


def _arg(step: Union[dict, Callable], name: str, default=None):
    if isinstance(step, dict):
        return step.get(name, default)
    return getattr(step, name, default)


@TRANSFORMS.register_module()
class DeviceCropViews(BaseTransform):
    """Draw each view's crop box and ship the unique frames uncut.

    Takes the per-view steps of :class:`MultiViewTransforms` (so a config
    switches paths by the ``type`` alone): an optional short-side
    ``Resize(scale=(-1, S))``, ``RandomResizedCrop`` and a final
    ``Resize(scale=(W, H), keep_ratio=False)``. Per group of views
    (``view_groups``; every view its own group without it) it draws the box
    exactly as that pipeline does (``RandomResizedCrop.get_crop_bbox`` on the
    short-side-resized geometry, the same RNG calls), then maps the box back
    to the decoded frames, so the worker resizes nothing.
    ``SSLDataPreprocessor`` cuts, resizes, flips and colours on the device.

    Required Keys: ``imgs`` (U decoded frames, (H, W, 3) uint8),
    ``view_frame_map`` (V, T); optional ``view_groups`` (V,).

    Modified Keys: ``imgs``: (U, H, W, 3) uint8, one array;
    ``num_clips`` = V, ``clip_len`` = T.

    Added Keys: ``view_frames`` (V, T) int64 (the view frame map),
    ``view_boxes`` (V, 4) float32 ``(x1, y1, x2, y2)`` in pixels of ``imgs``,
    ``crop_size`` (H_out, W_out); pack them with ``PackActionInputs(
    meta_keys=(..., *DEVICE_CROP_KEYS))``.

    Args:
        transforms (list[dict]): The per-view steps, see above.
    """

    def __init__(self, transforms: List[Union[dict, Callable]]) -> None:
        types = [_type_name(t) for t in transforms]
        steps = list(transforms)
        for step in steps:
            if _arg(step, 'interpolation', 'bilinear') != 'bilinear':
                raise ValueError(
                    'DeviceCropViews resizes bilinearly, got '
                    f"interpolation={_arg(step, 'interpolation')}")
        self.short_side: Optional[int] = None
        if len(steps) == 3 and types[0] == 'Resize':
            scale = tuple(_arg(steps[0], 'scale'))
            # (-1, S) in a config, (inf, S) once stock Resize is built
            sides = [s for s in scale if s not in (-1, np.inf)]
            if len(sides) != 1 or not _arg(steps[0], 'keep_ratio', True):
                raise ValueError(
                    'DeviceCropViews: the first Resize must scale the short '
                    f'side, scale=(-1, S), got scale={scale}')
            self.short_side = int(sides[0])
            steps, types = steps[1:], types[1:]
        if types != ['RandomResizedCrop', 'Resize'] or _arg(
                steps[1], 'keep_ratio', True):
            raise ValueError(
                'DeviceCropViews takes [Resize(scale=(-1, S)) (optional), '
                'RandomResizedCrop, Resize(scale=(W, H), keep_ratio=False)]'
                f', got {[_type_name(t) for t in transforms]}')
        self.area_range = tuple(_arg(steps[0], 'area_range', (0.08, 1.0)))
        self.aspect_ratio_range = tuple(
            _arg(steps[0], 'aspect_ratio_range', (3 / 4, 4 / 3)))
        out_w, out_h = _arg(steps[1], 'scale')
        self.crop_size = (int(out_h), int(out_w))

    def scaled_shape(self, img_shape: Sequence[int]) -> Tuple[int, int]:
        """(h, w) after the short-side resize, as stock ``Resize``."""
        h, w = img_shape
        if self.short_side is None:
            return h, w
        new_w, new_h = mmcv.rescale_size((w, h), (np.inf, self.short_side))
        return new_h, new_w

    def draw_box(self, img_shape: Sequence[int]) -> np.ndarray:
        """(4,) float32 box in pixels of ``img_shape`` frames."""
        h, w = img_shape
        new_h, new_w = self.scaled_shape(img_shape)
        box = RandomResizedCrop.get_crop_bbox((new_h, new_w), self.area_range,
                                              self.aspect_ratio_range)
        scale = np.array([w / new_w, h / new_h] * 2)
        return (np.asarray(box) * scale).astype(np.float32)

    def transform(self, results: dict) -> dict:
        view_frame_map = np.asarray(results['view_frame_map'], np.int64)
        num_views, clip_len = view_frame_map.shape
        imgs = np.stack(results['imgs'])
        groups = np.asarray(results.get('view_groups', np.arange(num_views)))
        boxes = np.empty((num_views, 4), np.float32)
        for group in dict.fromkeys(groups.tolist()):
            boxes[groups == group] = self.draw_box(imgs.shape[1:3])
        results['imgs'] = imgs
        results['view_frames'] = view_frame_map
        results['view_boxes'] = boxes
        results['crop_size'] = self.crop_size
        results['num_clips'] = num_views
        results['clip_len'] = clip_len
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(short_side={self.short_side}, '
                f'area_range={self.area_range}, '
                f'aspect_ratio_range={self.aspect_ratio_range}, '
                f'crop_size={self.crop_size})')
