"""Video files: writing (H.264), checking, transcoding to training copies."""
from .check import VideoCheck, check_video
from .prepare import prepare_videos
from .reasons import failure_reason
from .transcode import EncodeSettings, transcode_video
from .verify import verify_list
from .writer import encode_h264

__all__ = [
    'VideoCheck', 'check_video', 'failure_reason', 'verify_list',
    'EncodeSettings', 'transcode_video', 'prepare_videos', 'encode_h264'
]
