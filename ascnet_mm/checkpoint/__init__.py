"""Checkpoint loading: weights-only for every scheme, and a check that a
checkpoint holds the whole backbone before it is loaded."""
from .strict_load import (CheckpointMismatchError, check_backbone_checkpoint,
                          checkpoint_state_dict, pretrained_init_cfgs)
from .weights_only import (WEIGHTS_ONLY_LOADERS, enforce_weights_only,
                           load_weights_only)

__all__ = [
    'CheckpointMismatchError', 'check_backbone_checkpoint',
    'checkpoint_state_dict', 'pretrained_init_cfgs', 'WEIGHTS_ONLY_LOADERS',
    'enforce_weights_only', 'load_weights_only'
]
