"""Cross-rank gathers and MoCo Shuffle-BN; identities on one process.

Every rank must pass tensors of the same shape.
"""
from typing import Tuple

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_dist_info
from torch import Tensor


def rank_and_world() -> Tuple[int, int]:
    """(rank, world_size); (0, 1) when not distributed."""
    return get_dist_info()


def _all_gather_cat(t: Tensor, world: int) -> Tensor:
    t = t.contiguous()
    out = [torch.empty_like(t) for _ in range(world)]
    torch_dist.all_gather(out, t)
    return torch.cat(out)


@torch.no_grad()
def concat_all_gather(t: Tensor) -> Tensor:
    """(N, ...) -> (world * N, ...) rank-major, without gradient."""
    _, world = rank_and_world()
    if world == 1:
        return t.detach()
    return _all_gather_cat(t, world)


class _GatherWithGrad(torch.autograd.Function):
    """All-gather whose backward sums the gradients of every rank and returns
    this rank's slice, so the local rows receive the gradient of every
    rank's loss."""

    @staticmethod
    def forward(ctx, t: Tensor) -> Tensor:
        ctx.rank, world = rank_and_world()
        ctx.n = t.shape[0]
        return _all_gather_cat(t, world)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        grad = grad.contiguous().clone()
        torch_dist.all_reduce(grad)
        return grad.narrow(0, ctx.rank * ctx.n, ctx.n)


def gather_with_grad(t: Tensor) -> Tensor:
    """(N, ...) -> (world * N, ...) rank-major; the local slice keeps its
    gradient and receives the sum over ranks of the gradients w.r.t. it."""
    _, world = rank_and_world()
    if world == 1:
        return t
    return _GatherWithGrad.apply(t)


@torch.no_grad()
def batch_shuffle_ddp(x: Tensor) -> Tuple[Tensor, Tensor]:
    """Shuffle the global batch for Shuffle-BN (MoCo).

    Args:
        x (Tensor): (N, ...) local batch.

    Returns:
        tuple: this rank's (N, ...) share of the shuffled global batch and
        ``idx_unshuffle`` (world * N,), the inverse permutation.
    """
    rank, world = rank_and_world()
    x_all = concat_all_gather(x)
    idx_shuffle = torch.randperm(x_all.shape[0], device=x.device)
    if world > 1:
        torch_dist.broadcast(idx_shuffle, src=0)
    idx_unshuffle = torch.argsort(idx_shuffle)
    return x_all[idx_shuffle.view(world, -1)[rank]], idx_unshuffle


@torch.no_grad()
def batch_unshuffle_ddp(x: Tensor, idx_unshuffle: Tensor) -> Tensor:
    """Undo :func:`batch_shuffle_ddp`: (N, ...) -> (N, ...) in input order."""
    rank, world = rank_and_world()
    x_all = concat_all_gather(x)
    return x_all[idx_unshuffle.view(world, -1)[rank]]
