"""Online evaluation of a pretraining run: kNN accuracy, the memory
features' spectrum and an optional label-free playback-speed probe."""
from typing import Dict, List, NamedTuple, Optional, Sequence

import torch
from mmaction.registry import METRICS
from mmengine.logging import print_log

from ..functional import (feature_spectrum, feature_std, knn_classify,
                          logistic_probe, rankme, topk_accuracy)
from .role_metric import RoleMetric


class OnlineEvalSizes(NamedTuple):
    """True numbers of memory, query and speed-probe samples (a distributed
    sampler's padding beyond them is dropped)."""
    memory: int
    query: int
    probe: int = 0


def speed_probe_accuracy(records: List[dict], steps: int) -> float:
    """Accuracy (%) of a linear probe of the playback speed: records are
    ``S`` consecutive clips (labels 0..S-1, one per speed) of each video;
    the even videos' clips train it, the odd videos' clips score it."""
    num_speeds = max(r['label'] for r in records) + 1
    feats = torch.stack([r['feature'] for r in records])
    labels = torch.tensor([r['label'] for r in records])
    train = (torch.arange(len(records)) // num_speeds) % 2 == 0
    if train.all():
        raise ValueError('the speed probe needs at least two videos')
    return logistic_probe(feats[train], labels[train], feats[~train],
                          labels[~train], steps)


@METRICS.register_module()
class OnlineKNNMetric(RoleMetric):
    """kNN classification of the queries by the labelled memory, run by
    :class:`OnlineEvalValLoop` during pretraining.

    Logs ``knn/top1``, ``knn/top5`` (weighted voting, see
    :func:`knn_classify`), the memory features' ``spectrum/effective_rank``
    and ``spectrum/top1_share`` (:func:`feature_spectrum`),
    ``spectrum/rankme`` (:func:`rankme`), ``spectrum/feature_std``
    (:func:`feature_std`) and, when the loop has a probe dataloader,
    ``speed_probe/acc`` (:func:`speed_probe_accuracy`).

    Args:
        k (int): neighbours that vote. Defaults to 20.
        temperature (float): vote weight ``exp(sim / T)``. Defaults to 0.07.
        topk (Sequence[int]): accuracies logged. Defaults to (1, 5).
        probe_steps (int): optimiser steps of the speed probe.
            Defaults to 300.
        chunk_size (int): queries per similarity block. Defaults to 1024.
        **kwargs: ``collect_device``, ``prefix``, ``collect_dir`` of
            ``BaseMetric``.
    """

    default_prefix: Optional[str] = ''  # the keys name their group
    sizes_type = OnlineEvalSizes
    loop_hint = "val_cfg=dict(type='OnlineEvalValLoop', ...)"

    def __init__(self,
                 k: int = 20,
                 temperature: float = 0.07,
                 topk: Sequence[int] = (1, 5),
                 probe_steps: int = 300,
                 chunk_size: int = 1024,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.k = k
        self.temperature = temperature
        self.topk = tuple(topk)
        self.probe_steps = probe_steps
        self.chunk_size = chunk_size

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        split = self.split_roles(results)
        memory, queries = split['memory'], split['query']
        if len(memory) < 2 or not queries:
            raise ValueError(f'online evaluation needs a memory of at least '
                             f'2 ({len(memory)} items) and queries '
                             f'({len(queries)} items)')
        m_feats = torch.stack([r['feature'] for r in memory])
        q_feats = torch.stack([r['feature'] for r in queries])
        m_labels = torch.tensor([r['label'] for r in memory])
        q_labels = torch.tensor([r['label'] for r in queries])
        num_classes = int(torch.cat([m_labels, q_labels]).max()) + 1
        scores = knn_classify(q_feats, m_feats, m_labels, self.k,
                              self.temperature, num_classes, self.chunk_size)
        metrics = {
            f'knn/{name}': acc
            for name, acc in topk_accuracy(scores, q_labels,
                                           self.topk).items()
        }
        spectrum = feature_spectrum(m_feats)
        metrics.update({
            'spectrum/effective_rank': spectrum['effective_rank'],
            'spectrum/rankme': rankme(m_feats),
            'spectrum/top1_share': spectrum['top1_variance'],
            'spectrum/feature_std': feature_std(m_feats),
        })
        if split['probe']:
            metrics['speed_probe/acc'] = speed_probe_accuracy(
                split['probe'], self.probe_steps)
        print_log(
            f'online evaluation: {len(queries)} queries, {len(memory)} '
            f'memory videos of {m_feats.shape[1]}-d features: ' +
            ', '.join(f'{k} {v:.4g}' for k, v in metrics.items()),
            logger='current')
        return metrics
