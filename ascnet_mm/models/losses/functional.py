"""Pure loss functions shared by the loss modules (no state, no host syncs).

Each runs in float32 (:func:`float32`): under mixed precision (``--amp``,
``torch.autocast``) the embeddings may arrive in float16 / bfloat16, and the
similarity matrices, softmaxes and losses are still computed and returned
in float32.
"""
import functools
from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def _to_float(value):
    if isinstance(value, Tensor) and value.is_floating_point():
        return value.float()
    return value


def float32(fn: Callable) -> Callable:
    """Run ``fn`` with autocast off and its floating tensor arguments cast
    to float32 (a no-op for float32 inputs outside autocast)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        args = [_to_float(a) for a in args]
        kwargs = {k: _to_float(v) for k, v in kwargs.items()}
        tensor = next(
            (a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)),
            None)
        device = 'cpu' if tensor is None else tensor.device.type
        if not torch.is_autocast_enabled(device):
            return fn(*args, **kwargs)
        with torch.autocast(device, enabled=False):
            return fn(*args, **kwargs)

    return wrapper


@float32
def cosine(a: Tensor, b: Tensor) -> Tensor:
    """Row-wise cosine similarity of (N, D) and (N, D) -> (N,)."""
    return F.cosine_similarity(a, b, dim=1)


@float32
def ncos(p: Tensor, z: Tensor, eps: float = 1e-6) -> Tensor:
    """BYOL's normalised squared error ``2 - 2 * cos(p, z)``.

    Args:
        p, z (Tensor): (..., D); a zero vector gives cos = 0, i.e. 2.0.

    Returns:
        Tensor: (...,) values in [0, 4].
    """
    p = F.normalize(p, dim=-1, eps=eps)
    z = F.normalize(z, dim=-1, eps=eps)
    return 2 - 2 * (p * z).sum(dim=-1)


@float32
def retrieve_same_speed_partner(query_emb: Tensor,
                                query_speed: Tensor,
                                query_vid: Tensor,
                                cand_emb: Tensor,
                                cand_speed: Tensor,
                                cand_vid: Tensor,
                                cand_valid: Optional[Tensor] = None
                                ) -> Tuple[Tensor, Tensor]:
    """Top-1 cosine neighbour at the same speed from another video.

    Args:
        query_emb (Tensor): (M, D) query appearance embeddings.
        query_speed, query_vid (Tensor): (M,) speed label and video index.
        cand_emb (Tensor): (K, D) candidate appearance embeddings.
        cand_speed, cand_vid (Tensor): (K,) speed label and video index.
        cand_valid (Tensor, optional): (K,) bool, False rows are never chosen.

    Returns:
        tuple: ``idx`` (M,) long index into the candidates (0 where there is
        no partner) and ``has_partner`` (M,) bool.
    """
    allowed = ((query_speed[:, None] == cand_speed[None, :])
               & (query_vid[:, None] != cand_vid[None, :]))
    if cand_valid is not None:
        allowed = allowed & cand_valid[None, :]
    has_partner = allowed.any(dim=1)
    if cand_emb.shape[0] == 0:
        return torch.zeros_like(query_vid, dtype=torch.long), has_partner
    sim = F.normalize(query_emb, dim=-1) @ F.normalize(cand_emb, dim=-1).t()
    idx = sim.masked_fill(~allowed, float('-inf')).argmax(dim=1)
    return idx.masked_fill(~has_partner, 0), has_partner


@float32
def info_nce(q: Tensor,
             k: Tensor,
             queue: Tensor,
             temperature: float,
             queue_valid: Optional[Tensor] = None) -> Tensor:
    """MoCo InfoNCE with label 0 on logits ``[q.k, q.queue^T] / T``.

    Args:
        q, k (Tensor): (N, D) L2-normalised queries and positive keys.
        queue (Tensor): (K, D) L2-normalised negatives.
        temperature (float): softmax temperature T.
        queue_valid (Tensor, optional): (K,) bool, False entries are ignored.

    Returns:
        Tensor: scalar, mean over N.
    """
    l_pos = (q * k).sum(dim=1, keepdim=True)
    l_neg = q @ queue.t()
    if queue_valid is not None:
        l_neg = l_neg.masked_fill(~queue_valid[None, :], float('-inf'))
    logits = torch.cat([l_pos, l_neg], dim=1) / temperature
    labels = logits.new_zeros(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, labels)


@float32
def margin_ranking(pos: Tensor, neg: Tensor, margin: float) -> Tensor:
    """``mean(max(0, margin - (pos - neg)))`` over (N,) scores."""
    return (margin - (pos - neg)).clamp(min=0).mean()


@float32
def nt_xent(z1: Tensor,
            z2: Tensor,
            temperature: float,
            all_z1: Optional[Tensor] = None,
            all_z2: Optional[Tensor] = None,
            offset: int = 0) -> Tensor:
    """SimCLR NT-Xent of the local anchors against the (gathered) batch.

    Every local row of ``z1`` and ``z2`` is scored against all 2G rows of
    ``[all_z1; all_z2]`` except itself; its positive is the other view of
    the same sample, at global index ``offset + i``.

    Args:
        z1, z2 (Tensor): (N, D) local embeddings of the two views.
        temperature (float): softmax temperature.
        all_z1, all_z2 (Tensor, optional): (G, D) embeddings of the two views
            gathered over ranks, containing the local rows at
            ``offset:offset + N``; default ``z1`` and ``z2`` (G = N).
        offset (int): global index of the first local row.

    Returns:
        Tensor: scalar, mean over the 2N local anchors.
    """
    if all_z1 is None or all_z2 is None:
        all_z1, all_z2, offset = z1, z2, 0
    anchors = F.normalize(torch.cat([z1, z2]), dim=1)
    keys = F.normalize(torch.cat([all_z1, all_z2]), dim=1)
    n, g = z1.shape[0], all_z1.shape[0]
    logits = anchors @ keys.t() / temperature
    rows = torch.arange(n, device=z1.device) + offset
    self_idx = torch.cat([rows, rows + g])
    pos_idx = torch.cat([rows + g, rows])
    is_self = (
        torch.arange(2 * g, device=z1.device)[None, :] == self_idx[:, None])
    logits = logits.masked_fill(is_self, float('-inf'))
    return F.cross_entropy(logits, pos_idx)


@float32
def variance_covariance(z: Tensor,
                        gamma: float = 1.0,
                        eps: float = 1e-4) -> Tuple[Tensor, Tensor]:
    """VICReg's variance and covariance terms of a batch of features.

    ``var = mean_c relu(gamma - sqrt(Var[z_c] + eps))`` keeps every dimension
    spread over the batch; ``cov = sum_{i != j} Cov[z]_ij^2 / C`` decorrelates
    the dimensions (unbiased estimates over the M rows).

    Args:
        z (Tensor): (M, C) features, M >= 2.

    Returns:
        tuple: the two scalar terms.
    """
    m, c = z.shape
    z = z - z.mean(0)
    std = torch.sqrt(z.var(0) + eps)
    var = F.relu(gamma - std).mean()
    cov = z.T @ z / (m - 1)
    off_diag = cov.pow(2).sum() - cov.diagonal().pow(2).sum()
    return var, off_diag / c
