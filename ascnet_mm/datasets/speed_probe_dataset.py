"""Held-out clips of unlabelled videos at several playback speeds, labelled
by speed: the label-free probe of the online evaluation."""
from typing import Optional, Sequence

from mmaction.registry import DATASETS
from torch.utils.data import Dataset


@DATASETS.register_module()
class SpeedProbeDataset(Dataset):
    """Item ``i`` is video ``i // S`` of ``dataset`` at speed
    ``speeds[i % S]`` (``S = len(speeds)``), labelled ``i % S``; the
    dataset's pipeline reads the speed as ``probe_speed`` (e.g.
    :class:`SpeedProbeFrames`).

    Args:
        dataset (dict): e.g. a ``VideoListDataset`` of a small fixed list,
            ``test_mode=True``.
        speeds (Sequence[int]): Defaults to (1, 2, 4).
        num_videos (int, optional): the first ``num_videos`` videos only.
    """

    def __init__(self,
                 dataset: dict,
                 speeds: Sequence[int] = (1, 2, 4),
                 num_videos: Optional[int] = None) -> None:
        self.dataset = DATASETS.build(dataset)
        self.speeds = tuple(speeds)
        self.num_videos = num_videos
        self.metainfo = dict(classes=[f'speed {s}' for s in self.speeds])

    def full_init(self) -> None:
        self.dataset.full_init()

    def __len__(self) -> int:
        videos = len(self.dataset)
        if self.num_videos is not None:
            videos = min(videos, self.num_videos)
        return videos * len(self.speeds)

    def __getitem__(self, idx: int) -> dict:
        video, label = divmod(idx, len(self.speeds))
        info = self.dataset.get_data_info(video)
        info.update(probe_speed=self.speeds[label], label=label)
        return self.dataset.pipeline(info)
