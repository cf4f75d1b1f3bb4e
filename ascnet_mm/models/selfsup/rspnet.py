"""RSPNet: relative speed perception + appearance-focused instance
discrimination."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.logging import print_log

from ..utils import (FIFOBank, batch_shuffle_ddp, batch_unshuffle_ddp,
                     concat_all_gather, rank_and_world)
from .base import BaseVideoSSL, SampleList


@MODELS.register_module()
class RSPNetRecognizer(BaseVideoSSL):
    """RSPNet (Chen et al., AAAI 2021) with a MoCo-style key encoder.

    Views per sample (``RelativeSpeedSampler``): 0 = query at speed a,
    1 = key at speed a, 2 = the key's window at the other speed b.

    Args:
        backbone (dict): backbone config.
        app_head, speed_head (dict): ``MLPNeck`` configs (linear, L2-normed).
        avid_loss (dict): ``InfoNCELoss`` config, applied twice.
        rsp_loss (dict): ``RSPMarginLoss`` config.
        momentum (float): key encoder momentum, 1 - 0.999 by default.
        queue_size (int): appearance keys kept; a multiple of the global batch.
        shuffle_bn (bool): Shuffle-BN in the key encoder under DDP.
        feature_loss (dict, optional): see :class:`BaseVideoSSL`.
    """

    def __init__(self,
                 backbone: dict,
                 app_head: dict,
                 speed_head: dict,
                 avid_loss: dict = dict(type='InfoNCELoss', temperature=0.07),
                 rsp_loss: dict = dict(type='RSPMarginLoss', margin=2.0),
                 momentum: float = 0.001,
                 queue_size: int = 16384,
                 shuffle_bn: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 feature_loss: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg, feature_loss)
        self.app_head = MODELS.build(app_head)
        self.speed_head = MODELS.build(speed_head)
        self.avid_loss = MODELS.build(avid_loss)
        self.rsp_loss = MODELS.build(rsp_loss)
        self.shuffle_bn = shuffle_bn
        self.queue = FIFOBank(
            queue_size,
            dict(key=((self.app_head.out_channels, ), torch.float32)))
        self.build_target(['backbone', 'app_head', 'speed_head'], momentum)
        self._checked = False

    def _check_batch(self, num: int) -> None:
        if self._checked:
            return
        _, world = rank_and_world()
        if self.queue.size % (num * world):
            raise ValueError(
                f'RSPNet queue_size={self.queue.size} is not a multiple of '
                f'the global batch {num} x {world} GPUs: set '
                f'model.queue_size to a multiple of {num * world}.')
        if world == 1 and self.shuffle_bn:
            print_log(
                'RSPNet: one process, Shuffle-BN has no effect '
                '(BatchNorm statistics are over the whole batch).',
                logger='current')
        self._checked = True

    def _keys(self, clips: torch.Tensor):
        """Key encoder on ``(M, C, T, H, W)`` -> appearance and speed keys."""
        target = self.target_modules()
        if self.shuffle_bn:
            clips, unshuffle = batch_shuffle_ddp(clips)
        feats = self.extract_feat(clips, target['backbone'])
        keys = torch.cat(
            [target['app_head'](feats), target['speed_head'](feats)], dim=1)
        if self.shuffle_bn:
            keys = batch_unshuffle_ddp(keys, unshuffle)
        return keys.split(
            [self.app_head.out_channels, self.speed_head.out_channels], dim=1)

    def loss(self, inputs: torch.Tensor,
             data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Args: inputs ``(N, 3, C, T, H, W)``: query, key, other-speed key."""
        self.check_views(
            inputs, 3, 'RelativeSpeedSampler (query, key, key '
            'at the other speed)')
        num = inputs.shape[0]
        self._check_batch(num)
        feats = self.extract_feat(inputs[:, 0])
        q_app, q_speed = self.app_head(feats), self.speed_head(feats)
        with torch.no_grad():
            self.update_target()
            k_app, k_speed = self._keys(inputs[:,
                                               1:].transpose(0,
                                                             1).flatten(0, 1))
        k_same, k_other = k_app.split(num)
        s_same, s_other = k_speed.split(num)
        queue, valid = self.queue.key.clone(), self.queue.valid.clone()
        loss_avid = (
            self.avid_loss(q_app, k_same, queue, valid) +
            self.avid_loss(q_app, k_other, queue, valid))
        loss_rsp = self.rsp_loss(
            F.cosine_similarity(q_speed, s_same, dim=1),
            F.cosine_similarity(q_speed, s_other, dim=1))
        self.queue.enqueue(key=concat_all_gather(k_other))
        return dict(
            loss_avid=loss_avid,
            loss_rsp=loss_rsp,
            **self.feature_losses(feats))
