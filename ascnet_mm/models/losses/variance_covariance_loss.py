from typing import Dict

import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from ..utils.dist import gather_with_grad
from .functional import variance_covariance


@MODELS.register_module()
class VarianceCovarianceLoss(nn.Module):
    """An anti-collapse regulariser *(ours)*: VICReg's variance and covariance
    terms on the pooled online backbone features.

    Positive-only and contrastive pretexts alike can leave the pooled feature
    varying along a few directions only (dimensional collapse; see
    ``docs/synthetic_set.md``). This keeps each dimension's standard deviation
    over the batch at ``gamma`` or above and the dimensions decorrelated. Set
    it as ``model.feature_loss`` of any of our algorithms; it is off by
    default, as it is not part of the published methods.

    Args:
        var_weight (float): weight of the variance term.
        cov_weight (float): weight of the covariance term.
        gamma (float): target standard deviation.
        gather (bool): under DDP, compute the statistics over the global
            batch (all-gathered with gradient).
    """

    def __init__(self,
                 var_weight: float = 1.0,
                 cov_weight: float = 0.1,
                 gamma: float = 1.0,
                 gather: bool = True) -> None:
        super().__init__()
        self.var_weight = var_weight
        self.cov_weight = cov_weight
        self.gamma = gamma
        self.gather = gather

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """feats (M, C) -> ``dict(loss_var, loss_cov)``."""
        if self.gather:
            feats = gather_with_grad(feats)
        if feats.dim() != 2 or feats.shape[0] < 2:
            raise ValueError('VarianceCovarianceLoss needs (M, C) features '
                             f'with M >= 2, got {tuple(feats.shape)}')
        var, cov = variance_covariance(feats, self.gamma)
        return dict(
            loss_var=self.var_weight * var, loss_cov=self.cov_weight * cov)
