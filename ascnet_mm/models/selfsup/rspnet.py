"""RSPNet: relative speed perception + appearance-focused instance
discrimination."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.logging import print_log

from ..losses import cosine
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
        key_passes (int): 2: the key encoder runs on the same-speed keys and
            on the other-speed keys in two passes, each with its own
            BatchNorm statistics, as the authors' code
            (``PeihaoChen/RSPNet: moco/builder_diffspeed_diffloss.py``,
            ``_diff_speed`` and ``forward``); 1: one pass over both (2N
            clips, one set of statistics: other keys in training mode).
        queue_init (str): ``'empty'``: the queue starts empty and its unused
            rows are masked out of A-VID (ours); ``'random'``: it starts full
            of random unit vectors, as the authors' code. Either way every
            row holds a real key after ``queue_size / global batch`` steps.
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
                 key_passes: int = 2,
                 queue_init: str = 'empty',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 feature_loss: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg, feature_loss)
        self.app_head = MODELS.build(app_head)
        self.speed_head = MODELS.build(speed_head)
        self.avid_loss = MODELS.build(avid_loss)
        self.rsp_loss = MODELS.build(rsp_loss)
        self.shuffle_bn = shuffle_bn
        if key_passes not in (1, 2):
            raise ValueError(f'key_passes must be 1 or 2, got {key_passes}')
        if queue_init not in ('empty', 'random'):
            raise ValueError("queue_init must be 'empty' or 'random', got "
                             f'{queue_init!r}')
        self.key_passes = key_passes
        self.queue = FIFOBank(
            queue_size,
            dict(key=((self.app_head.out_channels, ), torch.float32)))
        if queue_init == 'random':
            self.queue.key.copy_(F.normalize(torch.randn_like(self.queue.key)))
            self.queue.valid.fill_(True)
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

    def keys(self, inputs: torch.Tensor):
        """Key encoder on views 1 (same speed) and 2 (other speed) of
        ``(N, 3, C, T, H, W)``: one or two passes (``key_passes``).

        Returns:
            tuple: appearance ``k_same``, ``k_other`` and speed ``s_same``,
            ``s_other`` keys, (N, D) each.
        """
        views = (inputs[:, 1], inputs[:, 2])
        if self.key_passes == 2:
            (k_same, s_same), (k_other, s_other) = map(self._keys, views)
            return k_same, k_other, s_same, s_other
        k_app, k_speed = self._keys(torch.cat(views))
        return (*k_app.chunk(2), *k_speed.chunk(2))

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
            k_same, k_other, s_same, s_other = self.keys(inputs)
        queue, valid = self.queue.key.clone(), self.queue.valid.clone()
        loss_avid = (
            self.avid_loss(q_app, k_same, queue, valid) +
            self.avid_loss(q_app, k_other, queue, valid))
        loss_rsp = self.rsp_loss(
            cosine(q_speed, s_same), cosine(q_speed, s_other))
        self.queue.enqueue(key=concat_all_gather(k_other))
        return dict(
            loss_avid=loss_avid,
            loss_rsp=loss_rsp,
            **self.feature_losses(feats))
