"""RSPNet's view sampler: query, key and the key's window at another speed."""
from typing import Optional

import numpy as np
from mmaction.registry import TRANSFORMS

from .speed_sampling import BaseViewSampler, clip_span

SPEED_SPLITS = ('coin', 'half')


@TRANSFORMS.register_module()
class RelativeSpeedSampler(BaseViewSampler):
    """RSPNet views: query and key at speed a, the key re-sampled at speed b.

    ``(a, b)`` is ``(1, fast_speed)`` or ``(fast_speed, 1)``. View 0 is the
    query (own start), view 1 the key (another start, chosen so that both
    speeds fit from it), view 2 the key's window from the key's start at
    speed b. ``view_speeds`` is ``[a, a, b]``.

    The authors' code (``PeihaoChen/RSPNet: moco/
    builder_diffspeed_diffloss.py``, ``MoCoDiffLossTwoFc._diff_speed``) cuts
    one 32-frame window per clip, augments it once and subsamples it at both
    speeds, and gives exactly half of every batch ``(a, b) = (1, 2)``.
    ``window_augment=True`` and ``speed_split='half'`` reproduce both.

    Args:
        clip_len (int): T, frames per view.
        fast_speed (int): The speed other than 1.
        window_augment (bool): Window mode: the key and its other-speed view
            form one augmentation group (one crop, colour and flip, so they
            differ only in speed) and the query's start is drawn over a
            window that fits both speeds too. False: every view is
            augmented on its own (``view_groups`` ``(0, 1, 2)``).
        speed_split (str): ``'coin'``: ``(a, b) = (1, fast_speed)`` with
            probability 0.5 per sample. ``'half'``: successive samples
            alternate ``(1, fast_speed)``, ``(fast_speed, 1)``. A dataloader
            worker builds a batch from successive samples, so an even batch
            is split exactly in half, and a video gets either pair over the
            epochs (the authors split each batch by a random permutation). A
            video skipped after sampling shifts the alternation by one.
        out_of_bound_opt (str, optional): ``'loop'``, ``'clamp'`` or
            ``None`` (a video shorter than a clip is an error).
        test_mode (bool): Centred starts and ``(a, b) = (1, fast_speed)``.
    """
    num_views = 3

    def __init__(self,
                 clip_len: int = 16,
                 fast_speed: int = 2,
                 window_augment: bool = False,
                 speed_split: str = 'coin',
                 out_of_bound_opt: Optional[str] = 'loop',
                 test_mode: bool = False) -> None:
        super().__init__(clip_len, out_of_bound_opt, test_mode)
        if fast_speed < 2:
            raise ValueError(f'fast_speed must be >= 2 so the two speeds '
                             f'differ, got {fast_speed}')
        if speed_split not in SPEED_SPLITS:
            raise ValueError(f'speed_split must be one of {SPEED_SPLITS}, '
                             f'got {speed_split!r}')
        self.fast_speed = int(fast_speed)
        self.window_augment = bool(window_augment)
        self.speed_split = speed_split
        self._num_sampled = 0

    @property
    def view_speeds(self):
        if self.test_mode:
            return (1, ), (1, ), (self.fast_speed, )
        return ((1, self.fast_speed), ) * 3

    @property
    def view_groups(self):
        return (0, 1, 1) if self.window_augment else (0, 1, 2)

    def _slow_first(self) -> bool:
        """Whether this sample gets ``(a, b) = (1, fast_speed)``."""
        if self.test_mode:
            return True
        if self.speed_split == 'coin':
            return np.random.rand() < 0.5
        self._num_sampled += 1
        return self._num_sampled % 2 == 1

    def sample_views(self, total_frames):
        if self._slow_first():
            a, b = 1, self.fast_speed
        else:
            a, b = self.fast_speed, 1
        window = clip_span(self.clip_len, self.fast_speed)
        query_span = window if self.window_augment else clip_span(
            self.clip_len, a)
        query = self._start(total_frames, query_span)
        key = self._start(total_frames, window)
        return np.asarray([query, key, key]), np.asarray([a, a, b])
