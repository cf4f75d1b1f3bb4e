from .dist import (batch_shuffle_ddp, batch_unshuffle_ddp, concat_all_gather,
                   gather_with_grad, rank_and_world)
from .ema import CosineEMA
from .fifo_bank import FIFOBank

__all__ = [
    'CosineEMA', 'FIFOBank', 'rank_and_world', 'concat_all_gather',
    'gather_with_grad', 'batch_shuffle_ddp', 'batch_unshuffle_ddp'
]
