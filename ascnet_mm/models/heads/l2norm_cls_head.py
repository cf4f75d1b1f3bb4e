"""Linear classifier on L2-normalised pooled features."""
import torch
import torch.nn.functional as F
from mmaction.models.heads import I3DHead
from mmaction.registry import MODELS


@MODELS.register_module()
class L2NormClsHead(I3DHead):
    """``I3DHead`` that L2-normalises the pooled feature before its linear
    layer (the linear-probe protocol). ``scale`` multiplies the normalised
    feature so logits are not confined to [-|w|, |w|].

    Shapes: ``(N, C, T, H, W)`` -> ``(N, num_classes)``.
    """

    def __init__(self, *args, scale: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        if self.avg_pool is not None:
            x = self.avg_pool(x)
        x = F.normalize(x.flatten(1), dim=1) * self.scale
        if self.dropout is not None:
            x = self.dropout(x)
        return self.fc_cls(x)
