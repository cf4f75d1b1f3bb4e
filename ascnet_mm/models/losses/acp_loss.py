import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .functional import ncos


@MODELS.register_module()
class ACPLoss(nn.Module):
    """Appearance consistency: each view predicts the next view's target.

    ``mean_{n,v} ncos(pred[:, v], sg(target[:, (v + 1) % V]))``; for V = 2
    this is the symmetrised BYOL loss.

    Args:
        loss_weight (float): multiplies the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """pred, target (N, V, D) -> scalar; no gradient reaches target."""
        target = target.detach().roll(-1, dims=1)
        return self.loss_weight * ncos(pred, target).mean()
