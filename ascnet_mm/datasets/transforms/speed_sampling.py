"""Multi-view clip samplers: every view of a sample is decoded by one call.

A sampler chooses a start ``t_v`` and a speed (temporal stride) ``s_v`` per
view; :func:`plan_views` turns them into the sorted unique frame indices that
stock ``DecordDecode`` reads once, plus the map from each view's frames into
them. It also says which views are augmented together (``view_groups``):
views cut from one window share crop, colour and flip in window mode.
RSPNet's sampler is in ``relative_speed_sampler.py``.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..errors import PipelineConfigError

OUT_OF_BOUND_OPTS = ('loop', 'clamp', None)


def plan_views(starts: Sequence[int],
               speeds: Sequence[int],
               clip_len: int,
               total_frames: int,
               out_of_bound_opt: Optional[str] = 'loop'
               ) -> Tuple[np.ndarray, np.ndarray]:
    """Frame indices of V views, decoded once.

    View ``v`` frame ``j`` is ``starts[v] + speeds[v] * j``; indices past the
    end wrap (``'loop'``), stay on the last frame (``'clamp'``) or raise
    :class:`PipelineConfigError` (``None``).

    Args:
        starts (Sequence[int]): (V,) first frame of each view.
        speeds (Sequence[int]): (V,) temporal stride of each view.
        clip_len (int): T, frames per view.
        total_frames (int): L, frames in the video.
        out_of_bound_opt (str, optional): ``'loop'``, ``'clamp'`` or
            ``None``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``frame_inds`` (U,) int64 sorted unique
        indices and ``view_frame_map`` (V, T) int64 with
        ``frame_inds[view_frame_map[v, j]]`` the frame of view v, step j.
    """
    if total_frames < 1:
        raise ValueError(f'total_frames must be >= 1, got {total_frames}')
    if out_of_bound_opt not in OUT_OF_BOUND_OPTS:
        raise ValueError(f'out_of_bound_opt must be one of {OUT_OF_BOUND_OPTS}'
                         f', got {out_of_bound_opt!r}')
    starts = np.asarray(starts, dtype=np.int64).reshape(-1, 1)
    speeds = np.asarray(speeds, dtype=np.int64).reshape(-1, 1)
    inds = starts + speeds * np.arange(clip_len, dtype=np.int64)
    if out_of_bound_opt == 'loop':
        inds = inds % total_frames
    elif out_of_bound_opt == 'clamp':
        inds = np.minimum(inds, total_frames - 1)
    elif inds.max() >= total_frames:
        raise PipelineConfigError(
            f'frame {int(inds.max())} is past the last frame of a '
            f'{total_frames}-frame video and out_of_bound_opt=None: set '
            "out_of_bound_opt='loop' or 'clamp'")
    frame_inds, inverse = np.unique(inds, return_inverse=True)
    return frame_inds, inverse.reshape(inds.shape).astype(np.int64)


def clip_span(clip_len: int, speed: int) -> int:
    """Frames covered by a clip of ``clip_len`` frames at stride ``speed``."""
    return (clip_len - 1) * speed + 1


class BaseViewSampler(BaseTransform):
    """Base of the multi-view samplers; subclasses choose starts and speeds.

    Randomness comes from ``np.random``'s global state, as in MMAction2's
    ``SampleFrames``, so MMEngine's seeding of dataloader workers applies.

    Required Keys: ``total_frames``; optional ``start_index`` (added to the
    indices, default 0) and ``sample_idx`` (set by MMEngine's dataset).

    Added Keys: ``frame_inds`` (U,), ``view_frame_map`` (V, T),
    ``view_speeds`` (V,), ``view_groups`` (V,), ``video_idx``,
    ``clip_len`` = T, ``num_clips`` = V, ``frame_interval`` = None.

    Layout, without sampling: ``num_views`` is V, :attr:`view_speeds`
    the speeds each view can be drawn at and :attr:`view_groups` the
    augmentation group of each view (``MultiViewTransforms``,
    ``ViewAugment`` and ``SSLDataPreprocessor(augment=...)`` draw one crop,
    flip and colour per group; by default every view is its own group);
    :meth:`sample_views` draws the starts and speeds of one sample.

    Args:
        clip_len (int): T, frames per view.
        out_of_bound_opt (str, optional): ``'loop'`` or ``'clamp'`` for
            indices past the last frame; ``None``: a video shorter than a
            clip raises :class:`PipelineConfigError` naming it.
        test_mode (bool): Deterministic sampling (centred clips).
    """
    num_views: int  # V, views per sample

    def __init__(self,
                 clip_len: int = 16,
                 out_of_bound_opt: Optional[str] = 'loop',
                 test_mode: bool = False) -> None:
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        if out_of_bound_opt not in OUT_OF_BOUND_OPTS:
            raise ValueError(
                f'out_of_bound_opt must be one of {OUT_OF_BOUND_OPTS}, '
                f'got {out_of_bound_opt!r}')
        self.clip_len = clip_len
        self.out_of_bound_opt = out_of_bound_opt
        self.test_mode = test_mode

    @property
    def view_speeds(self) -> Tuple[Tuple[int, ...], ...]:
        """(V,) tuples: the speeds view ``v`` can be drawn at."""
        raise NotImplementedError

    @property
    def view_groups(self) -> Tuple[int, ...]:
        """(V,) augmentation group of each view; views of a group share crop,
        colour and flip. Default: every view is its own group."""
        return tuple(range(self.num_views))

    def sample_views(self, total_frames: int) -> Tuple[np.ndarray, np.ndarray]:
        """Return (V,) starts and (V,) speeds for a video of L frames."""
        raise NotImplementedError

    def _start(self, total_frames: int, span: int) -> int:
        """Uniform start in [0, L - span] (centre in test mode), 0 if short."""
        max_start = max(total_frames - span, 0)
        if self.test_mode:
            return max_start // 2
        return int(np.random.randint(max_start + 1))

    def check_clips_fit(self, results: dict, starts: np.ndarray,
                        speeds: np.ndarray) -> None:
        """Raise :class:`PipelineConfigError` if a view runs past the video."""
        total_frames = results['total_frames']
        spans = [clip_span(self.clip_len, int(s)) for s in speeds]
        too_long = [(int(t) + span, span, int(s))
                    for t, span, s in zip(starts, spans, speeds)
                    if int(t) + span > total_frames]
        if not too_long:
            return
        _, span, speed = max(too_long)
        raise PipelineConfigError(
            f"{results.get('filename', 'video')}: {type(self).__name__} "
            f'draws a clip of {self.clip_len} frames at speed {speed}, which '
            f'spans {span} frames, but the video has {total_frames} frames. '
            "With out_of_bound_opt=None that is an error: set "
            "out_of_bound_opt='loop' or 'clamp' in the sampler, or remove "
            f'videos shorter than {span} frames from the list.')

    def transform(self, results: dict) -> dict:
        total_frames = results['total_frames']
        starts, speeds = self.sample_views(total_frames)
        if self.out_of_bound_opt is None:
            self.check_clips_fit(results, starts, speeds)
        frame_inds, view_frame_map = plan_views(starts, speeds, self.clip_len,
                                                total_frames,
                                                self.out_of_bound_opt)
        results['frame_inds'] = frame_inds + results.get('start_index', 0)
        results['view_frame_map'] = view_frame_map
        results['view_speeds'] = np.asarray(speeds, dtype=np.int64)
        results['view_groups'] = np.asarray(self.view_groups, dtype=np.int64)
        results['video_idx'] = results.get('sample_idx', -1)
        results['clip_len'] = self.clip_len
        results['num_clips'] = len(view_frame_map)
        results['frame_interval'] = None
        return results

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in vars(self).items()
                         if not k.startswith('_'))
        return f'{self.__class__.__name__}({args})'


@TRANSFORMS.register_module()
class SpeedPairSampler(BaseViewSampler):
    """ASCNet views: each view plays at a speed drawn from ``speeds``.

    Args:
        clip_len (int): T, frames per view.
        speeds (Sequence[int]): Speeds (temporal strides) to draw from.
        num_views (int): V, views per sample.
        distinct_speeds (bool): Draw the V speeds without replacement, so
            views never share a speed (what ACP needs).
        window_augment (bool): Window mode, RSPNet's convention: every view
            starts at one start (a window that fits the fastest drawn view)
            and the views form one augmentation group, so they differ only
            in speed. False: an own start and augmentation per view (the
            ASCNet paper does not say; our default).
        out_of_bound_opt (str, optional): ``'loop'``, ``'clamp'`` or
            ``None`` (a video shorter than a clip is an error).
        test_mode (bool): Centred starts and ``speeds`` taken in order.
    """

    def __init__(self,
                 clip_len: int = 16,
                 speeds: Sequence[int] = (1, 2),
                 num_views: int = 2,
                 distinct_speeds: bool = True,
                 window_augment: bool = False,
                 out_of_bound_opt: Optional[str] = 'loop',
                 test_mode: bool = False) -> None:
        super().__init__(clip_len, out_of_bound_opt, test_mode)
        speeds = tuple(int(s) for s in speeds)
        if not speeds or min(speeds) < 1:
            raise ValueError(f'speeds must be positive integers, got {speeds}')
        if num_views < 1:
            raise ValueError(f'num_views must be >= 1, got {num_views}')
        if distinct_speeds:
            if len(set(speeds)) != len(speeds):
                raise ValueError(f'speeds {speeds} repeat a value; list each '
                                 'speed once when distinct_speeds=True')
            if len(speeds) < 2:
                raise ValueError(
                    f'distinct_speeds=True needs at least two speeds, got '
                    f'{speeds}: give e.g. speeds=(1, 2) (ACP compares views '
                    'at different speeds) or set distinct_speeds=False')
            if num_views > len(speeds):
                raise ValueError(
                    f'num_views={num_views} distinct speeds cannot be drawn '
                    f'from speeds={speeds}: add speeds, lower num_views or '
                    'set distinct_speeds=False')
        self.speeds = speeds
        self.num_views = num_views
        self.distinct_speeds = distinct_speeds
        self.window_augment = bool(window_augment)

    @property
    def view_speeds(self):
        if self.test_mode:
            speeds = np.resize(self.speeds, self.num_views)
            return tuple((int(s), ) for s in speeds)
        return (self.speeds, ) * self.num_views

    @property
    def view_groups(self):
        if self.window_augment:
            return (0, ) * self.num_views
        return super().view_groups

    def sample_views(self, total_frames):
        if self.test_mode:
            speeds = np.resize(np.asarray(self.speeds), self.num_views)
        else:
            speeds = np.random.choice(
                self.speeds, self.num_views, replace=not self.distinct_speeds)
        if self.window_augment:
            span = clip_span(self.clip_len, int(max(speeds)))
            starts = np.full(self.num_views, self._start(total_frames, span))
        else:
            starts = np.asarray([
                self._start(total_frames, clip_span(self.clip_len, s))
                for s in speeds
            ])
        return starts, speeds


@TRANSFORMS.register_module()
class TemporalIntervalSampler(BaseViewSampler):
    """CVRL views: clips whose start gap favours short intervals.

    ``M = L - (T - 1) * frame_interval - 1`` is the last start whose clip
    ends inside the video (METHOD.md's ``M`` without the ``- 1`` would let
    the second clip end one frame past the video). The gap ``d`` in ``0..M``
    has probability proportional to ``1 - (d / M) ** power``; the first
    start is uniform in ``[0, M - d]``, the other at ``first + d`` (with more
    than two views, the others are uniform in between) and the views' order
    is shuffled. Videos shorter than a clip (``M < 0``) get independent
    uniform starts in ``[0, L - 1]`` and the out-of-bound option applies.

    Args:
        clip_len (int): T, frames per view.
        frame_interval (int): Temporal stride of every view.
        power (float): p of the gap density.
        num_views (int): V >= 2, views per sample.
        out_of_bound_opt (str, optional): ``'loop'``, ``'clamp'`` or
            ``None`` (a video shorter than a clip is an error).
        test_mode (bool): Centred start for every view (gap 0).
    """

    def __init__(self,
                 clip_len: int = 16,
                 frame_interval: int = 2,
                 power: float = 1.0,
                 num_views: int = 2,
                 out_of_bound_opt: Optional[str] = 'loop',
                 test_mode: bool = False) -> None:
        super().__init__(clip_len, out_of_bound_opt, test_mode)
        if frame_interval < 1:
            raise ValueError(
                f'frame_interval must be >= 1, got {frame_interval}')
        if power <= 0:
            raise ValueError(f'power must be > 0, got {power}')
        if num_views < 2:
            raise ValueError(f'num_views must be >= 2 (the gap is between '
                             f'views), got {num_views}')
        self.frame_interval = int(frame_interval)
        self.power = float(power)
        self.num_views = num_views

    @property
    def view_speeds(self):
        return ((self.frame_interval, ), ) * self.num_views

    def gap_probs(self, max_gap: int) -> np.ndarray:
        """(M + 1,) probabilities of the gaps 0..M (M >= 0)."""
        if max_gap == 0:
            return np.ones(1)
        weights = 1.0 - (np.arange(max_gap + 1) / max_gap)**self.power
        return weights / weights.sum()

    def sample_views(self, total_frames):
        speeds = np.full(self.num_views, self.frame_interval)
        span = clip_span(self.clip_len, self.frame_interval)
        max_gap = total_frames - span
        if self.test_mode:
            starts = np.full(self.num_views, self._start(total_frames, span))
        elif max_gap < 0:
            starts = np.random.randint(total_frames, size=self.num_views)
        else:
            gap = np.random.choice(max_gap + 1, p=self.gap_probs(max_gap))
            first = np.random.randint(max_gap - gap + 1)
            inner = np.random.randint(gap + 1, size=self.num_views - 2)
            starts = first + np.concatenate([[0, gap], inner])
            starts = np.random.permutation(starts)
        return starts, speeds
