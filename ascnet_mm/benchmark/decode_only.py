"""The decode-only bound: a sample's unique frames read once, nothing else."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform


class DecodeOnly(BaseTransform):
    """One ``get_batch`` of the sorted unique frames of a view sampler's
    plan, and nothing else (no resize, crop, colour or packing).

    Reads ``video_reader`` (of ``DecordInit`` or ``TorchCodecInit``),
    ``frame_inds`` (U,) and ``view_frame_map`` (V, T); returns only
    ``inputs``, the (U, H, W, 3) uint8 frames in ascending index order, and
    ``num_views`` (V), so the sample counts V clips like the other paths.

    Not registered: the benchmark pipelines hold an instance.
    """

    def transform(self, results: dict) -> dict:
        inds = np.unique(np.asarray(results['frame_inds']))
        frames = results['video_reader'].get_batch(inds)
        if hasattr(frames, 'asnumpy'):  # decord NDArray
            frames = frames.asnumpy()
        return dict(
            inputs=torch.from_numpy(np.ascontiguousarray(frames)),
            num_views=len(results['view_frame_map']))
