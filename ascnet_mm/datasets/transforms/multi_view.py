"""Run a stock spatial pipeline once per view (or group of views) of a
multi-view sample."""
from typing import Callable, List, Sequence, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform, Compose


@TRANSFORMS.register_module()
class MultiViewTransforms(BaseTransform):
    """Apply ``transforms`` to each view (group of views) separately, then
    join the views.

    The views of one group (``view_groups``, written by the view sampler;
    every view is its own group without it) run the pipeline once on all
    their frames, ``imgs[view_frame_map[v]]`` for each view v of the group in
    turn, as their own copies (stock ``Flip`` flips in place, and views share
    frames, or repeat one when a short video loops); the output is split back
    per view. Stock random transforms draw their parameters once per call, so
    a view is temporally consistent, views of a group share crop and flip
    (the frames they share come out identical) and groups are independent.

    Required Keys: ``imgs`` (U decoded unique frames), ``view_frame_map``
    (V, T), plus whatever ``transforms`` need (``img_shape``, ``modality``);
    optional ``view_groups`` (V,).

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
        num_views, clip_len = view_frame_map.shape
        groups = np.asarray(results.get('view_groups', np.arange(num_views)))
        views = [None] * num_views
        for group in dict.fromkeys(groups.tolist()):
            members = np.flatnonzero(groups == group)
            out = self.pipeline(
                self._view_results(results, view_frame_map[members].ravel()))
            if out is None:
                return None
            for i, v in enumerate(members):
                views[v] = dict(
                    out, imgs=out['imgs'][i * clip_len:(i + 1) * clip_len])
        shapes = {tuple(v['img_shape']) for v in views}
        if len(shapes) != 1:
            raise ValueError(
                f'MultiViewTransforms: views end with different image shapes '
                f'{sorted(shapes)}; end the per-view transforms with a '
                'fixed-size step, e.g. Resize(scale=(112, 112), '
                'keep_ratio=False), CenterCrop or RandomCrop.')
        results['imgs'] = [img for v in views for img in v['imgs']]
        results['img_shape'] = shapes.pop()
        results['num_clips'] = num_views
        results['clip_len'] = clip_len
        for key in self.view_keys:
            if key in views[0]:
                results[f'view_{key}'] = [v[key] for v in views]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.pipeline!r}, '
                f'view_keys={self.view_keys})')
