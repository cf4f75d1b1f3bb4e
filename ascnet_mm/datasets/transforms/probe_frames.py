"""One clip at the playback speed its sample asks for (the speed probe)."""
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .speed_sampling import clip_span


@TRANSFORMS.register_module()
class SpeedProbeFrames(BaseTransform):
    """Frame indices of one ``clip_len``-frame clip at ``results
    ['probe_speed']`` (every ``speed``-th frame), centred in the video and
    looped if it is too short: deterministic, so every evaluation sees the
    same clips. Set by :class:`SpeedProbeDataset`.

    Args:
        clip_len (int): frames per clip.
    """

    def __init__(self, clip_len: int) -> None:
        self.clip_len = clip_len

    def transform(self, results: dict) -> dict:
        speed = int(results['probe_speed'])
        total = int(results['total_frames'])
        start = max(0, (total - clip_span(self.clip_len, speed)) // 2)
        inds = (start + np.arange(self.clip_len) * speed) % total
        results.update(
            frame_inds=inds.astype(np.int64) + results.get('start_index', 0),
            clip_len=self.clip_len,
            frame_interval=speed,
            num_clips=1)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(clip_len={self.clip_len})'
