from typing import Optional

import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .functional import info_nce


@MODELS.register_module()
class InfoNCELoss(nn.Module):
    """MoCo InfoNCE against a queue of negatives (see :func:`info_nce`).

    Args:
        temperature (float): softmax temperature.
        loss_weight (float): multiplies the loss.
    """

    def __init__(self,
                 temperature: float = 0.07,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self,
                q: Tensor,
                k: Tensor,
                queue: Tensor,
                queue_valid: Optional[Tensor] = None) -> Tensor:
        """q, k (N, D), queue (K, D) L2-normalised; queue_valid (K,) bool."""
        return self.loss_weight * info_nce(q, k, queue, self.temperature,
                                           queue_valid)
