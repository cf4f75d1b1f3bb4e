from typing import NamedTuple, Tuple

import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from ..utils.dist import concat_all_gather, rank_and_world
from .functional import ncos, retrieve_same_speed_partner


@MODELS.register_module()
class SCPLoss(nn.Module):
    """Speed consistency against a retrieved same-speed clip of another video.

    The partner of each query is the top-1 appearance neighbour among valid
    candidates with the same speed and another video index; the loss is
    ``ncos(pred, sg(candidates.speed_emb[partner]))`` averaged over the
    queries that have a partner on all ranks: under DDP a rank returns its
    sum times ``world / (partners on all ranks)``, so DDP's averaging over
    ranks gives the mean over the global batch even when ranks have
    different numbers of partners.

    Queries and candidates are rows of named tensors, e.g. ``FIFOBank.rows``
    and ``FIFOBank.with_batch`` of a bank with the fields ``app``,
    ``speed_emb``, ``speed`` and ``vid``.

    Args:
        loss_weight (float): multiplies the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, query: NamedTuple,
                candidates: NamedTuple) -> Tuple[Tensor, Tensor]:
        """Compute the loss.

        Args:
            pred (Tensor): (M, D) online speed predictions.
            query: ``app`` (M, Da) target appearance, ``speed`` and ``vid``
                (M,) speed label and video index of the queries.
            candidates: ``app`` (K, Da) target appearance, ``speed_emb``
                (K, D) target speed embeddings, ``speed`` and ``vid`` (K,),
                ``valid`` (K,) bool mask of usable rows (or None: all).

        Returns:
            tuple: scalar loss (0 and still attached to ``pred`` when no
            query has a partner) and ``num_valid``, this rank's partners, a
            long scalar tensor.
        """
        idx, has_partner = retrieve_same_speed_partner(query.app, query.speed,
                                                       query.vid,
                                                       candidates.app,
                                                       candidates.speed,
                                                       candidates.vid,
                                                       candidates.valid)
        num_valid = has_partner.sum()
        if candidates.speed_emb.shape[0] == 0:
            target = pred.detach()
        else:
            target = candidates.speed_emb.detach()[idx]
        per_query = ncos(pred, target).masked_fill(~has_partner, 0)
        _, world = rank_and_world()
        total = num_valid
        if world > 1:
            total = concat_all_gather(num_valid.view(1)).sum()
        loss = per_query.sum() * world / total.clamp(min=1)
        return self.loss_weight * loss, num_valid
