"""Dataset tooling behind ``tools/data/``: list building, video checks, transcoding."""
from .annotations import hmdb51_lists, kinetics_lists, ucf101_lists, write_lists
from .transcode import EncodeSettings, prepare_videos, transcode_video
from .video_check import VideoCheck, check_video, verify_list

__all__ = [
    'VideoCheck', 'check_video', 'verify_list', 'EncodeSettings', 'transcode_video',
    'prepare_videos', 'ucf101_lists', 'hmdb51_lists', 'kinetics_lists', 'write_lists'
]
