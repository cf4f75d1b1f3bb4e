from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .skipped_videos_hook import SkippedVideosHook
from .strict_load_hook import StrictLoadHook

__all__ = [
    'RNGStateHook', 'SkippedVideosHook', 'StrictLoadHook', 'get_rng_state',
    'set_rng_state'
]
