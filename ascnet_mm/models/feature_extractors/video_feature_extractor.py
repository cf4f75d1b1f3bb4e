"""A backbone-only model for retrieval and feature dumps."""
from typing import Dict

from mmaction.registry import MODELS

from ..selfsup.base import BaseVideoSSL


@MODELS.register_module()
class VideoFeatureExtractor(BaseVideoSSL):
    """Backbone + global pooling; ``predict`` gives per-video ``feature``.

    Loads any checkpoint whose backbone sits at ``backbone.`` (ours, or a
    finetuned ``Recognizer3D``); other keys are ignored.
    """

    def loss(self, inputs, data_samples) -> Dict:
        raise RuntimeError(
            'VideoFeatureExtractor has no training loss: use it '
            'for testing/retrieval only.')
