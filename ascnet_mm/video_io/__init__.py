"""Video files: writing (H.264), checking, transcoding to training copies."""
from .check import VideoCheck, check_video, verify_list
from .transcode import EncodeSettings, prepare_videos, transcode_video
from .writer import encode_h264

__all__ = [
    'VideoCheck', 'check_video', 'verify_list', 'EncodeSettings',
    'transcode_video', 'prepare_videos', 'encode_h264'
]
