from .device_crop_views import DEVICE_CROP_KEYS, DeviceCropViews
from .multi_view import MultiViewTransforms
from .probe_frames import SpeedProbeFrames
from .relative_speed_sampler import RelativeSpeedSampler
from .speed_sampling import (BaseViewSampler, SpeedPairSampler,
                             TemporalIntervalSampler, plan_views)
from .torchcodec_decode import TorchCodecDecode, TorchCodecInit
from .view_augment import ViewAugment

__all__ = [
    'DEVICE_CROP_KEYS', 'DeviceCropViews', 'MultiViewTransforms',
    'BaseViewSampler', 'RelativeSpeedSampler', 'SpeedPairSampler',
    'TemporalIntervalSampler', 'plan_views', 'TorchCodecDecode',
    'TorchCodecInit', 'ViewAugment', 'SpeedProbeFrames'
]
