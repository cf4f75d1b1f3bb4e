"""Pure colour and blur ops on batches of clips (n, 3, T, H, W) in [0, 255].

Every op is per clip: its parameters are (n,) tensors, one per clip, and it
acts on all T frames alike, so a clip stays temporally consistent.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

_LUMA = (0.299, 0.587, 0.114)


def bcast(p: Tensor) -> Tensor:
    """(n,) -> (n, 1, 1, 1, 1), to broadcast over (n, C, T, H, W)."""
    return p.reshape(-1, 1, 1, 1, 1)


def luma(x: Tensor) -> Tensor:
    """ITU-R 601 luma. (n, 3, T, H, W) -> (n, 1, T, H, W)."""
    r, g, b = x.unbind(1)
    return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).unsqueeze(1)


def blend(x: Tensor, other: Tensor, factor: Tensor) -> Tensor:
    """``factor * x + (1 - factor) * other`` clamped to [0, 255]."""
    f = bcast(factor)
    return (f * x + (1 - f) * other).clamp_(0, 255)


def group_mean(m: Tensor, groups: Tensor) -> Tensor:
    """Mean of per-view values over the views of each group.

    Args:
        m (Tensor): (B, V, K) one value per view.
        groups (Tensor): (B, V) long group id of each view, in [0, V).

    Returns:
        Tensor: (B, V, K), each view's entry replaced by its group's mean.
    """
    idx = groups[..., None].expand_as(m)
    sums = torch.zeros_like(m).scatter_add_(1, idx, m)
    ones = torch.ones_like(m[..., :1])
    counts = torch.zeros_like(ones).scatter_add_(1, groups[..., None], ones)
    return (sums / counts.clamp(min=1)).gather(1, idx)


def clip_mean(x: Tensor,
              per_channel: bool = False,
              groups: Optional[Tensor] = None) -> Tensor:
    """Mean over (T, H, W) of the luma (or of each channel) of every clip;
    with ``groups`` (B, V), the mean over the clips of each group.

    Args:
        x (Tensor): (n, 3, T, H, W), n = B * V.

    Returns:
        Tensor: (n, 1, 1, 1, 1) luma or (n, 3, 1, 1, 1) channel means.
    """
    y = x if per_channel else luma(x)
    mean = y.mean((2, 3, 4), keepdim=True)
    if groups is None:
        return mean
    shape = mean.shape
    return group_mean(mean.view(*groups.shape, -1), groups).view(shape)


def adjust_hsv(x: Tensor,
               hue_shift: Optional[Tensor] = None,
               sat_scale: Optional[Tensor] = None) -> Tensor:
    """Rotate the HSV hue by ``hue_shift`` (n,) turns and/or multiply the HSV
    saturation by ``sat_scale`` (n,) (clamped to [0, 1]); value is kept.

    Args:
        x (Tensor): (n, 3, T, H, W) RGB in [0, 255].

    Returns:
        Tensor: (n, 3, T, H, W) RGB in [0, 255].
    """
    r, g, b = x.unbind(1)
    maxc = x.amax(1)
    minc = x.amin(1)
    chroma = maxc - minc
    gray = chroma == 0
    sat = chroma / torch.where(gray, torch.ones_like(maxc), maxc)
    if sat_scale is not None:
        sat = (sat * sat_scale.reshape(-1, 1, 1, 1)).clamp_(0.0, 1.0)
    div = torch.where(gray, torch.ones_like(chroma), chroma)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    hue = torch.where(is_r, bc - gc,
                      torch.where(is_g, 2.0 + rc - bc, 4.0 + gc - rc))
    shift = 0.0 if hue_shift is None else hue_shift.reshape(-1, 1, 1, 1)
    hue = torch.remainder(hue / 6.0 + shift, 1.0) * 6.0
    out = []
    for n in (5.0, 3.0, 1.0):
        k = torch.remainder(n + hue, 6.0)
        w = torch.minimum(k, 4.0 - k).clamp_(0.0, 1.0)
        out.append(maxc - maxc * sat * w)
    return torch.stack(out, 1)


def gaussian_blur(x: Tensor,
                  sigma: Tensor,
                  kernel_size: int,
                  padding: str = 'reflect') -> Tensor:
    """Separable Gaussian blur of every frame of (n, C, T, H, W), one ``sigma``
    (n,) per clip; a grouped conv2d over (H, W).

    Args:
        padding (str): ``'reflect'`` or ``'zeros'`` (TensorFlow's ``SAME``).
    """
    n, c, t, h, w = x.shape
    pos = torch.arange(kernel_size, device=x.device, dtype=x.dtype)
    pos = pos - kernel_size // 2
    kernel = torch.exp(-pos.square() / (2 * sigma.to(x.dtype)[:, None]**2))
    kernel = (kernel / kernel.sum(1, keepdim=True)).repeat_interleave(c * t, 0)
    pad = kernel_size // 2
    mode = 'constant' if padding == 'zeros' else padding
    groups = n * c * t
    y = x.reshape(1, groups, h, w)
    y = F.conv2d(
        F.pad(y, (pad, pad, 0, 0), mode=mode),
        kernel.view(groups, 1, 1, kernel_size),
        groups=groups)
    y = F.conv2d(
        F.pad(y, (0, 0, pad, pad), mode=mode),
        kernel.view(groups, 1, kernel_size, 1),
        groups=groups)
    return y.view(n, c, t, h, w)
