"""The device side of the device-side crop: cut and resize every view of a
batch from the samples' decoded frames with one ``grid_sample``.

Memory per batch: the padded frames as float32, N x 3 x U x H x W x 4 bytes
(U <= V x T unique frames per sample, H x W the largest decoded frame of the
batch), plus the sampling grid and the output, N x V x T x h x w x 3 x 4
bytes each (h x w the crop size). E.g. 64 two-view ASCNet samples, U <= 32
frames of 170 x 128 and 16 x 112 x 112 views: 0.53 GB of input (0.13 GB
as shipped uint8), 0.31 GB each for grid and output.
"""
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def pad_frames(frames: List[Tensor]) -> Tensor:
    """Stack (U_i, H_i, W_i, 3) frames of N samples into (N, 3, U, H, W)
    float, zero-padded at the end of each dimension to the batch maximum."""
    size = [max(f.shape[d] for f in frames) for d in range(3)]
    out = frames[0].new_zeros(len(frames), *size, frames[0].shape[-1])
    for i, f in enumerate(frames):
        out[i, :f.shape[0], :f.shape[1], :f.shape[2]] = f
    return out.permute(0, 4, 1, 2, 3).float()


def _axis(lo: Tensor, hi: Tensor, num: int, size: int) -> Tensor:
    """Normalised (``align_corners=True``) positions of ``num`` samples
    across [lo, hi) pixels, clamped to the edge pixels of the box as cv2's
    resize of the cut box does. (...,) bounds -> (..., num)."""
    step = (hi - lo) / num
    centres = torch.arange(num, device=lo.device, dtype=lo.dtype) + 0.5
    x = lo[..., None] + centres * step[..., None] - 0.5
    x = torch.maximum(torch.minimum(x, (hi - 1)[..., None]), lo[..., None])
    return x * (2 / max(size - 1, 1)) - 1


def cut_views(frames: Tensor, frame_map: Tensor, boxes: Tensor,
              size: Tuple[int, int]) -> Tensor:
    """Cut each view's box out of its frames and resize it (bilinear).

    Args:
        frames (Tensor): (N, C, U, H, W) float frames (:func:`pad_frames`).
        frame_map (Tensor): (N, V, T) long, view v's step t is frame
            ``frame_map[n, v, t]`` of sample n.
        boxes (Tensor): (N, V, 4) ``(x1, y1, x2, y2)`` in pixels.
        size (tuple[int, int]): (h, w) of the output views.

    Returns:
        Tensor: (N, V, C, T, h, w) float.
    """
    num, chans, num_frames, height, width = frames.shape
    _, views, clip_len = frame_map.shape
    out_h, out_w = size
    boxes = boxes.to(frames.dtype)
    gx = _axis(boxes[..., 0], boxes[..., 2], out_w, width)
    gy = _axis(boxes[..., 1], boxes[..., 3], out_h, height)
    gz = frame_map.to(frames.dtype) * (2 / max(num_frames - 1, 1)) - 1
    shape = (num, views, clip_len, out_h, out_w)
    grid = torch.stack([
        gx[:, :, None, None, :].expand(shape),
        gy[:, :, None, :, None].expand(shape), gz[:, :, :, None,
                                                  None].expand(shape)
    ], -1).flatten(1, 2)
    out = F.grid_sample(
        frames,
        grid,
        mode='bilinear',
        padding_mode='border',
        align_corners=True)  # (N, C, V * T, h, w)
    out = out.unflatten(2, (views, clip_len))
    return out.transpose(1, 2)
