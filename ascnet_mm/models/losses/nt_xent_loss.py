import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from ..utils.dist import gather_with_grad, rank_and_world
from .functional import nt_xent


@MODELS.register_module()
class NTXentLoss(nn.Module):
    """SimCLR / CVRL NT-Xent, negatives optionally gathered over ranks.

    With ``gather`` under DDP both views are all-gathered with gradient, so
    the mean of the per-rank losses equals the loss on the global batch.

    The loss is the mean over the 2N anchors (both directions, view 1 ->
    view 2 and back). ``sum_directions`` sums the two directions' means
    instead, as CVRL's official code does: twice the value and the gradient,
    i.e. twice the learning rate on this loss under SGD (weight decay's step
    unchanged).

    Args:
        temperature (float): softmax temperature.
        loss_weight (float): multiplies the loss.
        gather (bool): use the other ranks' embeddings as negatives.
        sum_directions (bool): sum the two directions instead of averaging.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0,
                 gather: bool = True,
                 sum_directions: bool = False) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.gather = gather
        self.sum_directions = sum_directions

    def forward(self, z1: Tensor, z2: Tensor) -> Tensor:
        """z1, z2 (N, D) embeddings of the two views (same N on all ranks)."""
        rank, world = rank_and_world()
        if self.gather and world > 1:
            loss = nt_xent(
                z1,
                z2,
                self.temperature,
                gather_with_grad(z1),
                gather_with_grad(z2),
                offset=rank * z1.shape[0])
        else:
            loss = nt_xent(z1, z2, self.temperature)
        # both directions have N anchors: their sum is twice the mean
        scale = 2 if self.sum_directions else 1
        return self.loss_weight * scale * loss
