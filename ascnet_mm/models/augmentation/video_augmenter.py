"""Temporally consistent per-view augmentation of batched clips, in torch.

One implementation serves both paths of ``docs/design.md``: the
``ViewAugment`` transform runs it on the CPU in the data pipeline,
``SSLDataPreprocessor(augment=...)`` runs it batched on the device.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

Prob = Union[float, Sequence[float]]

_LUMA = (0.299, 0.587, 0.114)

# Columns of the uniform draw, one row of ``len(_DRAWS)`` numbers per view.
_DRAWS = ('flip', 'jitter', 'brightness', 'contrast', 'saturation', 'hue',
          'grayscale', 'blur', 'sigma', 'solarize')


def _bcast(p: Tensor) -> Tensor:
    """(n,) -> (n, 1, 1, 1, 1), to broadcast over (n, C, T, H, W)."""
    return p.reshape(-1, 1, 1, 1, 1)


def _luma(x: Tensor) -> Tensor:
    """ITU-R 601 luma. (n, 3, T, H, W) -> (n, 1, T, H, W)."""
    r, g, b = x.unbind(1)
    return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).unsqueeze(1)


def _blend(x: Tensor, other: Tensor, factor: Tensor) -> Tensor:
    """``factor * x + (1 - factor) * other`` clamped to [0, 255]."""
    f = _bcast(factor)
    return (f * x + (1 - f) * other).clamp_(0, 255)


def _shift_hue(x: Tensor, shift: Tensor) -> Tensor:
    """Rotate the HSV hue of (n, 3, T, H, W) RGB in [0, 255] by ``shift`` (n,)
    turns; saturation and value are kept."""
    r, g, b = x.unbind(1)
    maxc = x.amax(1)
    minc = x.amin(1)
    chroma = maxc - minc
    gray = chroma == 0
    sat = chroma / torch.where(gray, torch.ones_like(maxc), maxc)
    div = torch.where(gray, torch.ones_like(chroma), chroma)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    hue = torch.where(is_r, bc - gc,
                      torch.where(is_g, 2.0 + rc - bc, 4.0 + gc - rc))
    hue = torch.remainder(hue / 6.0 + shift.reshape(-1, 1, 1, 1), 1.0) * 6.0
    out = []
    for n in (5.0, 3.0, 1.0):
        k = torch.remainder(n + hue, 6.0)
        w = torch.minimum(k, 4.0 - k).clamp_(0.0, 1.0)
        out.append(maxc - maxc * sat * w)
    return torch.stack(out, 1)


def _gaussian_blur(x: Tensor, sigma: Tensor, kernel_size: int) -> Tensor:
    """Separable Gaussian blur of every frame of (n, C, T, H, W), one ``sigma``
    (n,) per clip, reflect padding; a grouped conv2d over (H, W)."""
    n, c, t, h, w = x.shape
    pos = torch.arange(kernel_size, device=x.device, dtype=x.dtype)
    pos = pos - kernel_size // 2
    kernel = torch.exp(-pos.square() / (2 * sigma.to(x.dtype)[:, None]**2))
    kernel = (kernel / kernel.sum(1, keepdim=True)).repeat_interleave(c * t, 0)
    pad = kernel_size // 2
    groups = n * c * t
    y = x.reshape(1, groups, h, w)
    y = F.conv2d(
        F.pad(y, (pad, pad, 0, 0), mode='reflect'),
        kernel.view(groups, 1, 1, kernel_size),
        groups=groups)
    y = F.conv2d(
        F.pad(y, (0, 0, pad, pad), mode='reflect'),
        kernel.view(groups, 1, kernel_size, 1),
        groups=groups)
    return y.view(n, c, t, h, w)


class VideoAugmenter:
    """Per-view flip, colour jitter, grayscale, blur and solarisation.

    Parameters are drawn once per (sample, view) and shared by all frames of
    the view (temporally consistent); views and samples are independent. The
    ops run in SimCLR/BYOL order: horizontal flip; colour jitter with
    probability ``jitter_prob`` in the fixed order brightness, contrast,
    saturation, hue; grayscale; Gaussian blur; solarisation; the result is
    clamped to [0, 255]. Everything is vectorised over B*V on the device of
    the input, without host synchronisation.

    Contrast blends with the mean luma of the whole clip (not of each frame),
    so a view gets one colour map for all of its frames. Hue is rotated in HSV.

    Randomness: one ``torch.rand(B, V, 10)`` per call, so on the CPU a call
    with B samples draws exactly what B calls with one sample draw in turn.

    Args:
        flip_prob (float | Sequence[float]): Horizontal flip probability.
            Every ``*_prob`` is a float for all views or one value per view.
            Defaults to 0.5.
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
                 solarize_threshold: float = 128.0) -> None:
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
                      generator: Optional[torch.Generator] = None
                      ) -> Dict[str, Tensor]:
        """Draw the parameters of every (sample, view).

        Returns:
            dict[str, Tensor]: (B, V) tensors: bool ``flip``, ``jitter``,
            ``grayscale``, ``blur``, ``solarize``; float ``brightness``,
            ``contrast``, ``saturation`` (factors), ``hue`` (turns) and
            ``sigma`` (pixels).
        """
        device = torch.device(device)
        u = torch.rand(
            batch_size,
            num_views,
            len(_DRAWS),
            device=device,
            generator=generator).unbind(-1)
        u = dict(zip(_DRAWS, u))
        params = {}
        for name in self.probs:
            params[name] = u[name] < self._threshold(name, num_views, device)
        for name, (lo, hi) in self.ranges.items():
            params[name] = lo + (hi - lo) * u[name]
        return params

    def apply(self, x: Tensor, params: Dict[str, Tensor]) -> Tensor:
        """Augment with given parameters.

        Args:
            x (Tensor): (B, V, 3, T, H, W) RGB in [0, 255].
            params (dict[str, Tensor]): (B, V) tensors as from
                :meth:`sample_params`.

        Returns:
            Tensor: (B, V, 3, T, H, W) float in [0, 255].
        """
        assert x.ndim == 6 and x.shape[2] == 3, \
            f'expected (B, V, 3, T, H, W) RGB, got {tuple(x.shape)}'
        shape = x.shape
        if not x.is_floating_point():
            x = x.float()
        x = x.flatten(0, 1)
        p = {k: v.flatten() for k, v in params.items()}

        def where(mask: Tensor, y: Tensor, x: Tensor) -> Tensor:
            return torch.where(_bcast(mask), y, x)

        if self._enabled('flip'):
            x = where(p['flip'], x.flip(-1), x)
        if self._enabled('jitter'):
            y = (x * _bcast(p['brightness'])).clamp_(0, 255)
            y = _blend(y,
                       _luma(y).mean((2, 3, 4), keepdim=True), p['contrast'])
            y = _blend(y, _luma(y), p['saturation'])
            if self.ranges['hue'][1] > 0:
                y = _shift_hue(y, p['hue'])
            x = where(p['jitter'], y, x)
        if self._enabled('grayscale'):
            x = where(p['grayscale'], _luma(x).expand_as(x), x)
        if self._enabled('blur'):
            k = self.blur_kernel(*shape[-2:])
            x = where(p['blur'], _gaussian_blur(x, p['sigma'], k), x)
        if self._enabled('solarize'):
            solarized = torch.where(x >= self.solarize_threshold, 255 - x, x)
            x = where(p['solarize'], solarized, x)
        return x.clamp(0, 255).reshape(shape)

    def __call__(self,
                 x: Tensor,
                 generator: Optional[torch.Generator] = None) -> Tensor:
        """Augment (B, V, 3, T, H, W) RGB in [0, 255]; same shape, float."""
        params = self.sample_params(x.shape[0], x.shape[1], x.device,
                                    generator)
        return self.apply(x, params)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(probs={self.probs}, '
                f'ranges={self.ranges}, '
                f'blur_kernel_size={self.blur_kernel_size}, '
                f'solarize_threshold={self.solarize_threshold})')
