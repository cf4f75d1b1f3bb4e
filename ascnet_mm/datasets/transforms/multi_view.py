"""Run a stock spatial pipeline once per view of a multi-view sample."""
from typing import Callable, List, Sequence, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform, Compose


@TRANSFORMS.register_module()
class MultiViewTransforms(BaseTransform):
    """Apply ``transforms`` to each view separately, then join the views.

    Each view gets the frames ``imgs[view_frame_map[v]]`` (its own copies:
    stock ``Flip`` flips in place, and views share frames, or repeat one when
    a short video loops) and runs the pipeline once. Stock random transforms
    draw their parameters once per call, so a view is temporally consistent
    and views are independent.

    Required Keys: ``imgs`` (U decoded unique frames), ``view_frame_map``
    (V, T), plus whatever ``transforms`` need (``img_shape``, ``modality``).

    Modified Keys: ``imgs`` (V * T frames, view-major), ``img_shape``,
    ``num_clips`` = V, ``clip_len`` = T.

    Added Keys: ``view_<key>`` (list of V values) for each key of
    ``view_keys`` that the pipeline sets.

    Args:
        transforms (list[dict | callable]): Per-view pipeline, built from
            ``mmaction.registry.TRANSFORMS``. It must end with a fixed output
            size (e.g. ``Resize(scale=(112, 112), keep_ratio=False)``).
        view_keys (Sequence[str]): Per-view keys to keep as lists.
    """

    def __init__(
        self,
        transforms: List[Union[dict, Callable]],
        view_keys: Sequence[str] = ('crop_bbox', 'flip')
    ) -> None:
        self.pipeline = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in transforms
        ])
        self.view_keys = tuple(view_keys)

    @staticmethod
    def _view_results(results: dict, frame_ids: np.ndarray) -> dict:
        view = dict(results)
        view['imgs'] = list(np.stack([results['imgs'][i] for i in frame_ids]))
        view['num_clips'] = 1
        view['clip_len'] = len(frame_ids)
        if 'frame_inds' in results:
            view['frame_inds'] = np.asarray(results['frame_inds'])[frame_ids]
        return view

    def transform(self, results: dict) -> Union[dict, None]:
        view_frame_map = np.asarray(results['view_frame_map'])
        views = []
        for frame_ids in view_frame_map:
            view = self.pipeline(self._view_results(results, frame_ids))
            if view is None:
                return None
            views.append(view)
        shapes = {tuple(v['img_shape']) for v in views}
        if len(shapes) != 1:
            raise ValueError(
                f'MultiViewTransforms: views end with different image shapes '
                f'{sorted(shapes)}; end the per-view transforms with a '
                'fixed-size step, e.g. Resize(scale=(112, 112), '
                'keep_ratio=False), CenterCrop or RandomCrop.')
        results['imgs'] = [img for v in views for img in v['imgs']]
        results['img_shape'] = shapes.pop()
        results['num_clips'] = len(views)
        results['clip_len'] = view_frame_map.shape[1]
        for key in self.view_keys:
            if key in views[0]:
                results[f'view_{key}'] = [v[key] for v in views]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.pipeline!r}, '
                f'view_keys={self.view_keys})')
