from .video_augmenter import VideoAugmenter

__all__ = ['VideoAugmenter']
