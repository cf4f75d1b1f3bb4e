from .collapse_alarm_hook import (CollapseAlarmHook, FeatureCollapseError,
                                  collapse_alarms)
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .skipped_videos_hook import SkippedVideosHook

__all__ = [
    'CollapseAlarmHook', 'FeatureCollapseError', 'RNGStateHook',
    'SkippedVideosHook', 'collapse_alarms', 'get_rng_state', 'set_rng_state'
]
