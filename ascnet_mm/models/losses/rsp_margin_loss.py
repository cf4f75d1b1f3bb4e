import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .functional import margin_ranking


@MODELS.register_module()
class RSPMarginLoss(nn.Module):
    """RSPNet relative-speed margin ranking on temperature-scaled similarities.

    ``mean(max(0, margin - (pos_sim - neg_sim) / temperature))``.

    Args:
        margin (float): ranking margin.
        temperature (float): similarities are divided by it first.
        loss_weight (float): multiplies the loss.
    """

    def __init__(self,
                 margin: float = 2.0,
                 temperature: float = 0.07,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, pos_sim: Tensor, neg_sim: Tensor) -> Tensor:
        """pos_sim, neg_sim (N,) cosine similarities -> scalar."""
        return self.loss_weight * margin_ranking(pos_sim / self.temperature,
                                                 neg_sim / self.temperature,
                                                 self.margin)
