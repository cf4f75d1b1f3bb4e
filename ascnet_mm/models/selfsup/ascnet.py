"""ASCNet: appearance-speed consistency (ACP + SCP), positives only."""
from typing import Dict, Optional

import torch
from mmaction.registry import MODELS

from ..utils import FIFOBank, concat_all_gather
from .base import BaseVideoSSL, SampleList


@MODELS.register_module()
class ASCNetRecognizer(BaseVideoSSL):
    """ASCNet (Huang et al., ICCV 2021) with a BYOL-style momentum target.

    Online: backbone -> ``app_projector`` -> ``app_predictor`` (ACP) and
    backbone -> ``speed_projector`` -> ``speed_predictor`` (SCP). The target
    is an EMA of backbone and both projectors (``momentum=None``: the
    stop-gradient siamese variant). SCP candidates are the global batch plus a
    FIFO bank of past target embeddings (``bank_size=0`` disables it).

    Args:
        backbone (dict): backbone config.
        app_projector, app_predictor, speed_projector, speed_predictor (dict):
            ``MLPNeck`` configs.
        acp_loss (dict, optional): ``None`` trains SCP only.
        scp_loss (dict, optional): ``None`` trains ACP only.
        momentum (float, optional): initial EMA momentum (1 - tau).
        end_momentum (float): final momentum of the cosine schedule.
        bank_size (int): SCP memory bank entries.
        feature_loss (dict, optional): see :class:`BaseVideoSSL`.
    """

    def __init__(self,
                 backbone: dict,
                 app_projector: dict,
                 app_predictor: dict,
                 speed_projector: Optional[dict] = None,
                 speed_predictor: Optional[dict] = None,
                 acp_loss: Optional[dict] = dict(type='ACPLoss'),
                 scp_loss: Optional[dict] = dict(type='SCPLoss'),
                 momentum: Optional[float] = 0.01,
                 end_momentum: float = 0.0,
                 bank_size: int = 4096,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 feature_loss: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg, feature_loss)
        if acp_loss is None and scp_loss is None:
            raise ValueError('ASCNetRecognizer needs acp_loss, scp_loss or '
                             'both; got neither.')
        if scp_loss is not None and (speed_projector is None
                                     or speed_predictor is None):
            raise ValueError('scp_loss needs speed_projector and '
                             'speed_predictor (or set scp_loss=None).')
        self.app_projector = MODELS.build(app_projector)
        self.app_predictor = MODELS.build(app_predictor)
        self.acp_loss = MODELS.build(acp_loss) if acp_loss else None
        names = ['backbone', 'app_projector']
        self.scp_loss = None
        if scp_loss is not None:
            self.speed_projector = MODELS.build(speed_projector)
            self.speed_predictor = MODELS.build(speed_predictor)
            self.scp_loss = MODELS.build(scp_loss)
            names.append('speed_projector')
            self.bank = FIFOBank(
                bank_size,
                dict(
                    app=((self.app_projector.out_channels, ), torch.float32),
                    speed_emb=((self.speed_projector.out_channels, ),
                               torch.float32),
                    speed=((), torch.long),
                    vid=((), torch.long)))
        self.build_target(names, momentum, end_momentum)

    def loss(self, inputs: torch.Tensor,
             data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Args: inputs ``(N, V, C, T, H, W)`` with V >= 2 views at
        different speeds; data samples carrying ``view_speeds``,
        ``video_idx``."""
        self.check_views(
            inputs,
            2,
            'SpeedPairSampler(num_views=2) (views at different speeds)',
            at_least=True)
        num, views = inputs.shape[:2]
        self.update_target()
        target = self.target_modules()
        feats = self.extract_feat(inputs)
        with torch.no_grad():
            target_feats = self.extract_feat(inputs, target['backbone'])
            target_app = target['app_projector'](target_feats)

        losses = self.feature_losses(feats)
        if self.acp_loss is not None:
            pred_app = self.app_predictor(self.app_projector(feats))
            losses['loss_acp'] = self.acp_loss(
                pred_app.view(num, views, -1), target_app.view(num, views, -1))
        if self.scp_loss is not None:
            losses.update(
                self._scp(feats, target_feats, target_app, data_samples, num,
                          views))
        return losses

    def _scp(self, feats, target_feats, target_app, data_samples, num,
             views) -> Dict[str, torch.Tensor]:
        """SCP of the (N * V) views against the gathered batch and the bank,
        then the gathered batch enters the bank."""
        device = feats.device
        speeds = self.sample_meta(data_samples, 'view_speeds', device).view(-1)
        vids = self.sample_meta(data_samples, 'video_idx',
                                device).repeat_interleave(views)
        pred_speed = self.speed_predictor(self.speed_projector(feats))
        with torch.no_grad():
            target_speed = self.target_modules()['speed_projector'](
                target_feats)
            local = dict(
                app=target_app, speed_emb=target_speed, speed=speeds, vid=vids)
            batch = {k: concat_all_gather(v) for k, v in local.items()}
            candidates = self.bank.with_batch(**batch)
        loss, num_valid = self.scp_loss(pred_speed, self.bank.rows(**local),
                                        candidates)
        self.bank.enqueue(**batch)
        return dict(
            loss_scp=loss, scp_partner_rate=num_valid.float() / (num * views))
