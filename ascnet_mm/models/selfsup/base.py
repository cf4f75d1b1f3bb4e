"""Shared skeleton of the self-supervised video algorithms."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModel

from ..utils import CosineEMA

SampleList = Optional[List]


class BaseVideoSSL(BaseModel):
    """Backbone + global pooling; subclasses compose necks, losses and targets.

    Inputs are ``(N, V, C, T, H, W)``: V views (pretraining) or V test clips
    (evaluation) per sample, as packed by ``PackActionInputs``.

    Args:
        backbone (dict): any backbone of MMAction2's MODELS registry (ResNet3d,
            ResNet2Plus1d, C3D, ...) or ours (S3DG). Kept at ``self.backbone``
            so finetune configs load it with ``prefix='backbone.'``.
        data_preprocessor (dict, optional): defaults to
        ``SSLDataPreprocessor``.
        init_cfg (dict, optional): initialisation config.
        feature_loss (dict, optional): a loss on the pooled online backbone
            features ``(N * V, C)`` that returns a dict of named losses, e.g.
            ``VarianceCovarianceLoss`` *(ours)*. Defaults to None (off).
    """

    def __init__(self,
                 backbone: dict,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 feature_loss: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='SSLDataPreprocessor', format_shape='NCTHW')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.feature_loss = (
            MODELS.build(feature_loss) if feature_loss is not None else None)
        self.target = None
        self._target_names: Sequence[str] = ()

    # ------------------------------------------------------------- features
    def extract_feat(self,
                     inputs: torch.Tensor,
                     backbone: Optional[nn.Module] = None) -> torch.Tensor:
        """Backbone features averaged over time and space (a plain mean:
        unlike ``AdaptiveAvgPool3d``, its CUDA backward is deterministic).

        Args:
            inputs: ``(N, V, C, T, H, W)`` or ``(N, C, T, H, W)``.
            backbone: defaults to ``self.backbone`` (pass a target's).

        Returns:
            ``(N * V, C_out)``, view-major within a sample.
        """
        if inputs.dim() == 6:
            inputs = inputs.flatten(0, 1)
        feats = (backbone or self.backbone)(inputs)
        if isinstance(feats, (tuple, list)):
            feats = feats[-1]
        return feats.flatten(2).mean(2)

    def feature_losses(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``feature_loss`` on pooled online features (M, C); {} when off."""
        return {} if self.feature_loss is None else self.feature_loss(feats)

    # --------------------------------------------------------------- target
    def _online_modules(self) -> nn.ModuleDict:
        return nn.ModuleDict({n: getattr(self, n) for n in self._target_names})

    def build_target(self,
                     names: Sequence[str],
                     momentum: Optional[float],
                     end_momentum: Optional[float] = None) -> None:
        """Momentum copy of the named online modules (mmengine convention:
        ``momentum = 1 - tau``). ``momentum=None``: stop-gradient siamese
        target, i.e. the online modules themselves without gradient."""
        self._target_names = tuple(names)
        if momentum is None:
            self.target = None
            return
        if end_momentum is None:
            end_momentum = momentum
        self.target = CosineEMA(
            self._online_modules(),
            momentum=momentum,
            end_momentum=end_momentum)

    def update_target(self) -> None:
        if self.target is not None:
            self.target.update_parameters(self._online_modules())

    def target_modules(self) -> nn.ModuleDict:
        """The target's modules by name (online ones for stop-gradient)."""
        if self.target is None:
            return self._online_modules()
        return self.target.module

    def check_views(self,
                    inputs: torch.Tensor,
                    num_views: int,
                    sampler: str,
                    at_least: bool = False) -> None:
        """Raise a ``ValueError`` naming ``sampler`` unless ``inputs`` are
        ``(N, V, C, T, H, W)`` with V = ``num_views`` (V >= with
        ``at_least``): a pipeline that makes other views is a config
        mistake, found at the first batch."""
        views = inputs.shape[1] if inputs.dim() == 6 else None
        if views is not None and (views >= num_views
                                  if at_least else views == num_views):
            return
        raise ValueError(
            f'{type(self).__name__} needs inputs (N, V, C, T, H, W) with V '
            f'{">=" if at_least else "="} {num_views} views, got shape '
            f'{tuple(inputs.shape)}: use {sampler} in the pipeline and '
            'FormatShape(input_format="NCTHW").')

    # ------------------------------------------------------------- metadata
    @staticmethod
    def sample_meta(data_samples: SampleList, key: str,
                    device: Union[torch.device, str]) -> torch.Tensor:
        """Stack per-sample metainfo ``key`` to a long tensor on ``device``.

        ``view_speeds`` gives ``(N, V)``, ``video_idx`` gives ``(N,)``.
        """
        if not data_samples or key not in data_samples[0]:
            raise KeyError(
                f'data samples lack "{key}": the pretraining pipeline must '
                'use a view sampler (e.g. SpeedPairSampler) and pack it with '
                f"PackActionInputs(meta_keys=('view_speeds', 'video_idx'))")
        values = np.stack(
            [np.asarray(ds.metainfo[key]) for ds in data_samples])
        return torch.from_numpy(values.astype(np.int64)).to(
            device, non_blocking=True)

    # ---------------------------------------------------------------- modes
    def forward(self,
                inputs: torch.Tensor,
                data_samples: SampleList = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            if inputs.dim() == 6:
                inputs = inputs.flatten(0, 1)
            return self.backbone(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}": use tensor, loss or '
                           'predict.')

    def loss(self, inputs: torch.Tensor,
             data_samples: SampleList) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def predict(self, inputs: torch.Tensor, data_samples: SampleList) -> List:
        """Per-sample features averaged over its clips, as ``feature`` (C,)."""
        num_clips = inputs.shape[1] if inputs.dim() == 6 else 1
        feats = self.extract_feat(inputs)
        feats = feats.view(-1, num_clips, feats.shape[-1]).mean(1)
        if data_samples is None:
            from mmaction.structures import ActionDataSample
            data_samples = [ActionDataSample() for _ in range(len(feats))]
        for sample, feat in zip(data_samples, feats):
            sample.set_field(feat, 'feature')
        return data_samples
