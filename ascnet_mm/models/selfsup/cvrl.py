"""CVRL: contrastive video representation learning."""
from typing import Dict, Optional

import torch
from mmaction.registry import MODELS

from .base import BaseVideoSSL, SampleList


@MODELS.register_module()
class CVRLRecognizer(BaseVideoSSL):
    """CVRL (Qian et al., CVPR 2021): NT-Xent between two clips of a video.

    Args:
        backbone (dict): backbone config.
        projector (dict): ``MLPNeck`` (3 x [Linear 2048, BN, ReLU] + Linear).
        loss (dict): ``NTXentLoss`` (temperature 0.1, negatives gathered).
        feature_loss (dict, optional): see :class:`BaseVideoSSL`.
    """

    def __init__(self,
                 backbone: dict,
                 projector: dict,
                 loss: dict = dict(type='NTXentLoss', temperature=0.1),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 feature_loss: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg, feature_loss)
        self.projector = MODELS.build(projector)
        self.loss_module = MODELS.build(loss)

    def loss(self, inputs: torch.Tensor,
             data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Args: inputs ``(N, 2, C, T, H, W)``."""
        self.check_views(inputs, 2, 'TemporalIntervalSampler(num_views=2)')
        feats = self.extract_feat(inputs)
        z = self.projector(feats).view(inputs.shape[0], 2, -1)
        return dict(
            loss_nt_xent=self.loss_module(z[:, 0], z[:, 1]),
            **self.feature_losses(feats))
