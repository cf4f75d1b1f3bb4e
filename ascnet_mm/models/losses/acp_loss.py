import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .functional import ncos


@MODELS.register_module()
class ACPLoss(nn.Module):
    """Appearance consistency: each view predicts the next view's target.

    ``ncos(pred[:, v], sg(target[:, (v + 1) % V]))`` for each direction v,
    averaged over the batch and then averaged (``reduction='mean'``) or
    summed (``'sum'``) over the V directions. For V = 2, ``'sum'`` is BYOL's
    symmetrised loss (BYOL adds the loss of the swapped views), twice
    ``'mean'``. The ASCNet paper does not say which; ``'mean'`` is ours.

    Args:
        loss_weight (float): multiplies the loss.
        reduction (str): ``'mean'`` or ``'sum'`` over the directions.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        if reduction not in ('mean', 'sum'):
            raise ValueError("reduction must be 'mean' or 'sum', got "
                             f'{reduction!r}')
        self.loss_weight = loss_weight
        self.reduction = reduction

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """pred, target (N, V, D) -> scalar; no gradient reaches target."""
        target = target.detach().roll(-1, dims=1)
        loss = ncos(pred, target)
        if self.reduction == 'sum':
            return self.loss_weight * loss.mean(0).sum()
        return self.loss_weight * loss.mean()
