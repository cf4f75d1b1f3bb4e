from .video_augmenter import VideoAugmenter
from .view_crop import cut_views, pad_frames

__all__ = ['VideoAugmenter', 'cut_views', 'pad_frames']
