from .checkpoint_hook import (CheckpointDiskFullError, CheckpointHook,
                              NonFiniteCheckpointError)
from .collapse_alarm_hook import (CollapseAlarmHook, FeatureCollapseError,
                                  collapse_alarms)
from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .run_layout_hook import RunLayoutError, RunLayoutHook, run_layout
from .skipped_videos_hook import SkippedVideosHook
from .stall_watchdog_hook import StallWatchdogHook
from .strict_load_hook import StrictLoadHook

__all__ = [
    'CheckpointDiskFullError', 'CheckpointHook', 'CollapseAlarmHook',
    'FeatureCollapseError', 'FiniteLossHook', 'NonFiniteCheckpointError',
    'NonFiniteLossError', 'RNGStateHook', 'RunLayoutError', 'RunLayoutHook',
    'SkippedVideosHook', 'StallWatchdogHook', 'StrictLoadHook',
    'collapse_alarms', 'get_rng_state', 'run_layout', 'set_rng_state'
]
