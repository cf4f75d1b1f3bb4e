"""Linear-probe protocol: frozen backbone, trainable head only."""
import torch
from mmaction.models.recognizers import Recognizer3D
from mmaction.registry import MODELS


@MODELS.register_module()
class LinearProbeRecognizer3D(Recognizer3D):
    """``Recognizer3D`` whose backbone is frozen: no gradient, BatchNorm in
    eval mode, whatever the backbone type. Pair it with ``L2NormClsHead``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.backbone.requires_grad_(False)

    def train(self, mode: bool = True):
        super().train(mode)
        self.backbone.eval()
        return self

    def extract_feat(self,
                     inputs,
                     stage='neck',
                     data_samples=None,
                     test_mode=False):
        with torch.no_grad():
            return super().extract_feat(inputs, stage, data_samples, test_mode)
