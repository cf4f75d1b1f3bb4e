"""The naive reference decode: the config's decode step once per view."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform


class PerViewDecode(BaseTransform):
    """Decode each view of a view sampler's plan by its own ``get_batch``.

    Reads ``frame_inds`` (U,) and ``view_frame_map`` (V, T) of a view
    sampler, decodes view ``v`` by ``decode_cfg`` (stock ``DecordDecode``
    by default, or ``TorchCodecDecode``) on
    ``frame_inds[view_frame_map[v]]`` and concatenates the views
    (view-major): ``imgs`` becomes V * T frames, ``frame_inds`` (V * T,) and
    ``view_frame_map`` ``arange(V * T).reshape(V, T)``, so the rest of the
    pipeline runs unchanged. With ``reopen`` every view also gets its own
    stock ``DecordInit`` (a fresh reader, as when a pipeline runs once per
    view); otherwise the views share the sample's reader.

    Not registered: the benchmark pipelines hold an instance.

    Args:
        reopen (bool): A fresh reader per view.
        init_cfg (dict, optional): The reader's transform config
            (``reopen``). Defaults to ``DecordInit``.
        decode_cfg (dict, optional): The decode transform's config.
            Defaults to ``DecordDecode``.
    """

    def __init__(self,
                 reopen: bool = False,
                 init_cfg: Optional[dict] = None,
                 decode_cfg: Optional[dict] = None) -> None:
        from mmaction.registry import TRANSFORMS
        self.decode = TRANSFORMS.build(decode_cfg or dict(type='DecordDecode'))
        self.init = TRANSFORMS.build(
            init_cfg or dict(type='DecordInit')) if reopen else None

    def transform(self, results: dict) -> dict:
        frame_inds = np.asarray(results['frame_inds'])
        view_map = np.asarray(results['view_frame_map'])
        imgs, inds = [], []
        for view in view_map:
            view_results = dict(results, frame_inds=frame_inds[view])
            if self.init is not None:
                view_results = self.init(view_results)
            out = self.decode(view_results)
            imgs += out['imgs']
            inds.append(frame_inds[view])
        results.update(
            out,
            imgs=imgs,
            frame_inds=np.concatenate(inds),
            view_frame_map=np.arange(view_map.size).reshape(view_map.shape))
        results['video_reader'] = None
        return results
