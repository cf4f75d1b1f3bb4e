from .checkpoint_hook import CheckpointHook, NonFiniteCheckpointError
from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .run_layout_hook import RunLayoutError, RunLayoutHook, run_layout
from .skipped_videos_hook import SkippedVideosHook

__all__ = [
    'CheckpointHook', 'FiniteLossHook', 'NonFiniteCheckpointError',
    'NonFiniteLossError', 'RNGStateHook', 'RunLayoutError', 'RunLayoutHook',
    'SkippedVideosHook', 'get_rng_state', 'run_layout', 'set_rng_state'
]
