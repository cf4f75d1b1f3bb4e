from .collapse_alarm_hook import (CollapseAlarmHook, FeatureCollapseError,
                                  collapse_alarms)
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .skipped_videos_hook import SkippedVideosHook
from .strict_load_hook import StrictLoadHook

__all__ = [
    'CollapseAlarmHook', 'FeatureCollapseError', 'RNGStateHook',
    'SkippedVideosHook', 'StrictLoadHook', 'collapse_alarms', 'get_rng_state',
    'set_rng_state'
]
