"""Temporally consistent per-view augmentation of batched clips, in torch.

One implementation serves both paths of ``docs/design.md``: the
``ViewAugment`` transform runs it on the CPU in the data pipeline,
``SSLDataPreprocessor(augment=...)`` runs it batched on the device.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from .functional import (adjust_hsv, bcast, blend, clip_mean, gaussian_blur,
                         luma)

Prob = Union[float, Sequence[float]]

# Columns of the uniform draw, one row of numbers per view (group).
_DRAWS = ('flip', 'jitter', 'brightness', 'contrast', 'saturation', 'hue',
          'grayscale', 'blur', 'sigma', 'solarize')
# Extra columns with jitter_order='random': one key per jitter op.
_ORDER_DRAWS = ('order0', 'order1', 'order2', 'order3')
_CHOICES = dict(
    jitter_order=('fixed', 'random'),
    contrast_mean=('luma', 'channel'),
    saturation_mode=('blend', 'hsv'),
    blur_padding=('reflect', 'zeros'))


class VideoAugmenter:
    """Per-view flip, colour jitter, grayscale, blur and solarisation.

    Parameters are drawn once per (sample, view) and shared by all frames of
    the view (temporally consistent); views and samples are independent,
    except that views of one *group* (``groups``, e.g. the views that a
    sampler cut from one window) share one parameter set. The ops run in
    SimCLR/BYOL order: horizontal flip; colour jitter with probability
    ``jitter_prob`` (brightness, contrast, saturation, hue); grayscale;
    Gaussian blur; solarisation; the result is clamped to [0, 255].
    Everything is vectorised over B*V on the device of the input, without
    host synchronisation.

    Contrast blends with the mean of the whole clip (of its group's clips
    with ``groups``), not of each frame, so a view gets one colour map for all
    of its frames and the frames that views of a group share stay identical.
    Hue is rotated in HSV. With ``solarize_threshold`` scaled along, every op
    commutes with scaling the input, so [0, 255] here equals [0, 1] in the
    official codes.

    Randomness: one ``torch.rand(B, V, 10)`` per call (14 columns with
    ``jitter_order='random'``); view v uses the row of its group id
    ``groups[b, v]``. So on the CPU a call with B samples draws exactly what B
    calls with one sample draw in turn.

    Args:
        flip_prob (float | Sequence[float]): Horizontal flip probability.
            Every ``*_prob`` is a float for all views or one value per view
            (views of a group share the draw, compared with their own
            probability). Defaults to 0.5.
        jitter_prob (float | Sequence[float]): Colour jitter probability.
            Defaults to 0.8.
        brightness (float): Brightness factor in U[1 - b, 1 + b].
            Defaults to 0.4.
        contrast (float): Contrast factor in U[1 - c, 1 + c]. Defaults to 0.4.
        saturation (float): Saturation factor in U[1 - s, 1 + s].
            Defaults to 0.4.
        hue (float): Hue shift in U[-h, h] turns, h <= 0.5. Defaults to 0.1.
        grayscale_prob (float | Sequence[float]): Defaults to 0.2.
        blur_prob (float | Sequence[float]): Defaults to 0.0.
        blur_sigma (tuple[float, float]): Range of the blur sigma in pixels.
            Defaults to (0.1, 2.0).
        blur_kernel_size (int, optional): Odd kernel size; None derives it as
            about 10% of min(H, W), at least 3. Defaults to None.
        solarize_prob (float | Sequence[float]): Defaults to 0.0.
        solarize_threshold (float): Pixels ``>= threshold`` become
            ``255 - x``. Defaults to 128.0.
        grayscale_before_jitter (bool): Grayscale before the colour jitter
            (RSPNet's official order) instead of after it. Defaults to False.
        jitter_order (str): ``'fixed'`` (brightness, contrast, saturation,
            hue) or ``'random'``: a random order per view (group), as
            torchvision's ``ColorJitter`` and CVRL's ``color_jitter_rand``.
            Defaults to ``'fixed'``.
        contrast_mean (str): ``'luma'``: blend every channel with the clip's
            mean luma (torchvision); ``'channel'``: each channel with its own
            mean (TensorFlow's ``adjust_contrast``). Defaults to ``'luma'``.
        saturation_mode (str): ``'blend'`` with the luma (torchvision) or
            ``'hsv'``: scale the HSV saturation, clamped to [0, 1]
            (TensorFlow's ``adjust_saturation``). Defaults to ``'blend'``.
        blur_padding (str): ``'reflect'`` or ``'zeros'`` (TensorFlow's
            ``SAME``). Defaults to ``'reflect'``.
    """

    def __init__(self,
                 flip_prob: Prob = 0.5,
                 jitter_prob: Prob = 0.8,
                 brightness: float = 0.4,
                 contrast: float = 0.4,
                 saturation: float = 0.4,
                 hue: float = 0.1,
                 grayscale_prob: Prob = 0.2,
                 blur_prob: Prob = 0.0,
                 blur_sigma: Tuple[float, float] = (0.1, 2.0),
                 blur_kernel_size: Optional[int] = None,
                 solarize_prob: Prob = 0.0,
                 solarize_threshold: float = 128.0,
                 grayscale_before_jitter: bool = False,
                 jitter_order: str = 'fixed',
                 contrast_mean: str = 'luma',
                 saturation_mode: str = 'blend',
                 blur_padding: str = 'reflect') -> None:
        self.probs = dict(
            flip=self._check_prob(flip_prob),
            jitter=self._check_prob(jitter_prob),
            grayscale=self._check_prob(grayscale_prob),
            blur=self._check_prob(blur_prob),
            solarize=self._check_prob(solarize_prob))
        for name, v in (('brightness', brightness), ('contrast', contrast),
                        ('saturation', saturation)):
            assert v >= 0, f'{name} must be >= 0, got {v}'
        assert 0 <= hue <= 0.5, f'hue must be in [0, 0.5], got {hue}'
        assert 0 < blur_sigma[0] <= blur_sigma[1], blur_sigma
        assert blur_kernel_size is None or (blur_kernel_size > 0
                                            and blur_kernel_size % 2 == 1), \
            f'blur_kernel_size must be odd, got {blur_kernel_size}'
        self.ranges = dict(
            brightness=(max(0.0, 1 - brightness), 1 + brightness),
            contrast=(max(0.0, 1 - contrast), 1 + contrast),
            saturation=(max(0.0, 1 - saturation), 1 + saturation),
            hue=(-hue, hue),
            sigma=tuple(blur_sigma))
        self.blur_kernel_size = blur_kernel_size
        self.solarize_threshold = float(solarize_threshold)
        self.grayscale_before_jitter = bool(grayscale_before_jitter)
        self.options = dict(
            jitter_order=jitter_order,
            contrast_mean=contrast_mean,
            saturation_mode=saturation_mode,
            blur_padding=blur_padding)
        for name, value in self.options.items():
            if value not in _CHOICES[name]:
                raise ValueError(f'{name} must be one of {_CHOICES[name]}, '
                                 f'got {value!r}')
        self._draws = _DRAWS + (
            _ORDER_DRAWS if jitter_order == 'random' else ())
        self._prob_cache: Dict[tuple, Tensor] = {}

    @staticmethod
    def _check_prob(p: Prob) -> Union[float, Tuple[float, ...]]:
        ps = (p, ) if isinstance(p, (int, float)) else tuple(p)
        assert all(0 <= q <= 1 for q in ps), f'probability out of [0, 1]: {p}'
        return float(p) if isinstance(p,
                                      (int,
                                       float)) else tuple(float(q) for q in p)

    def _enabled(self, name: str) -> bool:
        p = self.probs[name]
        return any(q > 0 for q in p) if isinstance(p, tuple) else p > 0

    def _threshold(self, name: str, num_views: int,
                   device: torch.device) -> Union[float, Tensor]:
        """The probability of op ``name`` as a float or a (V,) tensor, cached
        per device so that no host-to-device copy happens per call."""
        p = self.probs[name]
        if not isinstance(p, tuple):
            return p
        if len(p) != num_views:
            raise ValueError(f'{name}_prob has {len(p)} values for '
                             f'{num_views} views')
        key = (name, str(device))
        if key not in self._prob_cache:
            self._prob_cache[key] = torch.tensor(p, device=device)
        return self._prob_cache[key]

    def blur_kernel(self, height: int, width: int) -> int:
        """Odd kernel size for (H, W) frames, ~10% of the shorter side."""
        if self.blur_kernel_size is not None:
            return self.blur_kernel_size
        return max(3, int(0.1 * min(height, width)) // 2 * 2 + 1)

    def sample_params(self,
                      batch_size: int,
                      num_views: int,
                      device: Union[str, torch.device] = 'cpu',
                      generator: Optional[torch.Generator] = None,
                      groups: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Draw the parameters of every (sample, view).

        Args:
            groups (Tensor, optional): (V,) or (B, V) long group id of each
                view, in [0, V); views of a group get the same parameters.
                None: every view is its own group.

        Returns:
            dict[str, Tensor]: (B, V) tensors: bool ``flip``, ``jitter``,
            ``grayscale``, ``blur``, ``solarize``; float ``brightness``,
            ``contrast``, ``saturation`` (factors), ``hue`` (turns) and
            ``sigma`` (pixels); with ``jitter_order='random'`` also ``order``
            (B, V, 4), the jitter ops' indices in the order they run; with
            ``groups`` also ``group`` (B, V).
        """
        device = torch.device(device)
        u = torch.rand(
            batch_size,
            num_views,
            len(self._draws),
            device=device,
            generator=generator)
        params = {}
        if groups is not None:
            groups = torch.as_tensor(
                groups, device=device).long().expand(batch_size, num_views)
            u = u.gather(1, groups[..., None].expand_as(u))
            params['group'] = groups
        u = dict(zip(self._draws, u.unbind(-1)))
        for name in self.probs:
            params[name] = u[name] < self._threshold(name, num_views, device)
        for name, (lo, hi) in self.ranges.items():
            params[name] = lo + (hi - lo) * u[name]
        if self.options['jitter_order'] == 'random':
            keys = torch.stack([u[k] for k in _ORDER_DRAWS], -1)
            params['order'] = keys.argsort(-1)
        return params

    def _jitter(self, x: Tensor, p: Dict[str, Tensor],
                groups: Optional[Tensor]) -> Tensor:
        """Brightness, contrast, saturation and hue of (n, 3, T, H, W), in
        the fixed order or in each view's ``p['order']``."""
        per_channel = self.options['contrast_mean'] == 'channel'
        hsv_saturation = self.options['saturation_mode'] == 'hsv'

        def brightness(y):
            return (y * bcast(p['brightness'])).clamp_(0, 255)

        def contrast(y):
            return blend(y, clip_mean(y, per_channel, groups), p['contrast'])

        def saturation(y):
            if hsv_saturation:
                return adjust_hsv(y, sat_scale=p['saturation'])
            return blend(y, luma(y), p['saturation'])

        def hue(y):
            if self.ranges['hue'][1] > 0:
                return adjust_hsv(y, hue_shift=p['hue'])
            return y

        ops = (brightness, contrast, saturation, hue)
        if 'order' not in p:
            for op in ops:
                x = op(x)
            return x
        for step in range(len(ops)):
            chosen, out = p['order'][:, step], x
            for k, op in enumerate(ops):
                out = torch.where(bcast(chosen == k), op(x), out)
            x = out
        return x

    def apply(self, x: Tensor, params: Dict[str, Tensor]) -> Tensor:
        """Augment with given parameters.

        Args:
            x (Tensor): (B, V, 3, T, H, W) RGB in [0, 255].
            params (dict[str, Tensor]): as from :meth:`sample_params`.

        Returns:
            Tensor: (B, V, 3, T, H, W) float in [0, 255].
        """
        assert x.ndim == 6 and x.shape[2] == 3, \
            f'expected (B, V, 3, T, H, W) RGB, got {tuple(x.shape)}'
        shape = x.shape
        if not x.is_floating_point():
            x = x.float()
        x = x.flatten(0, 1)
        groups = params.get('group')
        p = {k: v.flatten(0, 1) for k, v in params.items() if k != 'group'}

        def where(mask: Tensor, y: Tensor, x: Tensor) -> Tensor:
            return torch.where(bcast(mask), y, x)

        def grayscale(x: Tensor) -> Tensor:
            if not self._enabled('grayscale'):
                return x
            return where(p['grayscale'], luma(x).expand_as(x), x)

        if self._enabled('flip'):
            x = where(p['flip'], x.flip(-1), x)
        if self.grayscale_before_jitter:
            x = grayscale(x)
        if self._enabled('jitter'):
            x = where(p['jitter'], self._jitter(x, p, groups), x)
        if not self.grayscale_before_jitter:
            x = grayscale(x)
        if self._enabled('blur'):
            k = self.blur_kernel(*shape[-2:])
            blurred = gaussian_blur(x, p['sigma'], k,
                                    self.options['blur_padding'])
            x = where(p['blur'], blurred, x)
        if self._enabled('solarize'):
            solarized = torch.where(x >= self.solarize_threshold, 255 - x, x)
            x = where(p['solarize'], solarized, x)
        return x.clamp(0, 255).reshape(shape)

    def __call__(self,
                 x: Tensor,
                 generator: Optional[torch.Generator] = None,
                 groups: Optional[Tensor] = None) -> Tensor:
        """Augment (B, V, 3, T, H, W) RGB in [0, 255]; same shape, float.
        ``groups``: see :meth:`sample_params`."""
        params = self.sample_params(x.shape[0], x.shape[1], x.device,
                                    generator, groups)
        return self.apply(x, params)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(probs={self.probs}, '
                f'ranges={self.ranges}, '
                f'blur_kernel_size={self.blur_kernel_size}, '
                f'solarize_threshold={self.solarize_threshold}, '
                f'grayscale_before_jitter={self.grayscale_before_jitter}, '
                f'options={self.options})')
