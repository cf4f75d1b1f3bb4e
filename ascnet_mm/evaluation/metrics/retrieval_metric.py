"""Nearest-neighbour video retrieval metric (queries = test, gallery = train).

Registered as ``NNRetrievalMetric``: MMAction2 already registers a
``RetrievalMetric`` (video-text retrieval) in the same registry.
"""
import json
import logging
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import torch
from mmaction.registry import METRICS
from mmengine.logging import MessageHub, print_log

from ..functional import (feature_spectrum, retrieval_neighbours,
                          retrieval_topk, unmatched_queries)
from .role_metric import ROLE_KEY, RoleMetric, sample_record  # noqa: F401

UNMATCHED = ('exclude', 'miss')
# runtime info of the message hub: each query's neighbours (main process)
NEIGHBOURS_INFO = 'retrieval_neighbours'


class RetrievalSizes(NamedTuple):
    """True numbers of gallery and query videos: what a distributed
    sampler padded beyond them is dropped."""
    gallery: int
    query: int


@METRICS.register_module()
class NNRetrievalMetric(RoleMetric):
    """Top-k nearest-neighbour retrieval accuracy, run by
    :class:`NNRetrievalTestLoop`.

    Each data sample carries ``feature`` (C,), ``gt_label`` and the metainfo
    ``retrieval_role`` ('gallery' or 'query', set by the loop). Computes the
    top-k hits, the gallery's feature spectrum (see
    :func:`feature_spectrum`; logged too: a low effective rank flags
    dimensional collapse) and each query's nearest gallery items, which it
    leaves in the message hub's runtime info ``retrieval_neighbours`` (for
    ``RetrievalVisualizationHook``) and writes with the rest to
    ``out_dir/retrieval.json``.

    A query without a label, or whose class has no gallery item, can never
    hit: such queries are counted, named in a warning and, by default,
    excluded from the accuracy (they measure the split, not the features;
    in the standard splits every test class is in the train split, so there
    are none). A k larger than the gallery is not reported (at k = G every
    matched query hits), with a warning. ``retrieval.json`` records both.

    Args:
        topk (int | Sequence[int]): k values. Defaults to (1, 5, 10, 20, 50).
        out_dir (str, optional): where to write ``retrieval.json``; nothing
            is written if None. ``NNRetrievalTestLoop`` builds the metric
            with the runner's work dir when the config leaves it unset.
        num_neighbours (int): neighbours kept per query. Defaults to 5.
        chunk_size (int): queries per similarity block. Defaults to 1024.
        unmatched_queries (str): ``'exclude'`` (default) leaves queries that
            cannot hit out of the accuracy; ``'miss'`` counts them as misses.
    """

    default_prefix: Optional[str] = 'retrieval'
    sizes_type = RetrievalSizes
    loop_hint = "test_cfg=dict(type='NNRetrievalTestLoop', ...)"

    def __init__(self,
                 topk: Union[int, Sequence[int]] = (1, 5, 10, 20, 50),
                 out_dir: Optional[str] = None,
                 num_neighbours: int = 5,
                 chunk_size: int = 1024,
                 unmatched_queries: str = 'exclude',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.topk = (topk, ) if isinstance(topk, int) else tuple(topk)
        if unmatched_queries not in UNMATCHED:
            raise ValueError(f'unmatched_queries must be one of {UNMATCHED}, '
                             f'got {unmatched_queries!r}')
        self.unmatched_queries = unmatched_queries
        self.out_dir = out_dir
        self.num_neighbours = num_neighbours
        self.chunk_size = chunk_size

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Top-k retrieval accuracy (%) of the queries against the gallery."""
        split = self.split_roles(results)
        gallery, queries = split['gallery'], split['query']
        if not gallery or not queries:
            raise ValueError(f'retrieval needs a gallery ({len(gallery)} '
                             f'items) and queries ({len(queries)} items)')
        g_feats = torch.stack([r['feature'] for r in gallery])
        q_feats = torch.stack([r['feature'] for r in queries])
        g_labels = torch.tensor([r['label'] for r in gallery])
        q_labels = torch.tensor([r['label'] for r in queries])

        topk = self._reportable_topk(len(gallery))
        causes = self._unmatched(queries,
                                 unmatched_queries(q_labels, g_labels))
        scored = torch.tensor([c is None for c in causes])
        if self.unmatched_queries == 'miss':
            scored[:] = True
        if not scored.any():
            raise ValueError(
                f'none of the {len(queries)} queries has a label that the '
                'gallery has: check the label lists of both')
        metrics = retrieval_topk(q_feats[scored], q_labels[scored], g_feats,
                                 g_labels, topk, self.chunk_size)
        spectrum = feature_spectrum(g_feats) if len(gallery) > 1 else None
        print_log(
            f'retrieval of {int(scored.sum())} queries in {len(gallery)} '
            'gallery videos: ' + ', '.join(f'{k} {v:.2f}'
                                           for k, v in metrics.items()) +
            ('' if spectrum is None else '; gallery features: effective rank '
             f'{spectrum["effective_rank"]:.1f} of {g_feats.shape[1]}, '
             f'{100 * spectrum["top1_variance"]:.0f}% of the variance '
             'along one direction'),
            logger='current')
        nbrs = retrieval_neighbours(q_feats, g_feats, self.num_neighbours,
                                    self.chunk_size).tolist()
        per_query = [
            dict(
                index=i,
                filename=q['filename'],
                label=q['label'],
                neighbours=nn,
                neighbour_filenames=[gallery[j]['filename'] for j in nn],
                neighbour_labels=[gallery[j]['label'] for j in nn],
                unmatched=cause)
            for i, (q, nn, cause) in enumerate(zip(queries, nbrs, causes))
        ]
        MessageHub.get_current_instance().update_info(
            NEIGHBOURS_INFO, per_query, resumed=False)
        self._dump_json(
            dict(
                topk=metrics,
                num_query=len(queries),
                num_gallery=len(gallery),
                num_query_scored=int(scored.sum()),
                num_query_unmatched={
                    cause: sum(c == cause for c in causes)
                    for cause in ('no label', 'class not in gallery')
                },
                unmatched_queries=self.unmatched_queries,
                topk_not_reported=[k for k in self.topk if k not in topk],
                gallery_spectrum=spectrum,
                queries=per_query))
        return metrics

    def _reportable_topk(self, num_gallery: int) -> tuple:
        """The k values up to the gallery size; a warning names the
        others."""
        topk = tuple(k for k in self.topk if k <= num_gallery)
        if not topk:
            raise ValueError(
                f'every k of topk={self.topk} is larger than the gallery '
                f'({num_gallery} videos): give k values up to {num_gallery}')
        if topk != self.topk:
            print_log(
                'retrieval: ' +
                ', '.join(f'top{k}' for k in self.topk if k not in topk) +
                f' not reported: the gallery has {num_gallery} videos (at '
                'k = G every query whose class is in the gallery hits)',
                logger='current',
                level=logging.WARNING)
        return topk

    def _unmatched(self, queries: List[dict],
                   masks: Dict[str, torch.Tensor]) -> List[Optional[str]]:
        """Each query's reason it cannot hit (None: it can); a warning
        counts them and names a few."""
        causes = [None] * len(queries)
        for cause, mask in masks.items():
            for i in mask.nonzero().flatten().tolist():
                causes[i] = cause
        bad = [i for i, c in enumerate(causes) if c]
        if bad:
            names = ', '.join(f"{queries[i]['filename'] or f'query {i}'} "
                              f"(label {queries[i]['label']}: {causes[i]})"
                              for i in bad[:3])
            counted = ('excluded from' if self.unmatched_queries == 'exclude'
                       else 'counted as misses in')
            print_log(
                f'retrieval: {len(bad)} of {len(queries)} queries cannot hit '
                f'(no label, or a class with no gallery video), e.g. {names}; '
                f'they are {counted} the accuracy (unmatched_queries='
                f"'{self.unmatched_queries}')",
                logger='current',
                level=logging.WARNING)
        return causes

    def _dump_json(self, content: dict) -> None:
        if self.out_dir is None:
            print_log(
                f'{type(self).__name__}: no out_dir, retrieval.json is not '
                'written',
                logger='current',
                level=logging.WARNING)
            return
        os.makedirs(self.out_dir, exist_ok=True)
        path = osp.join(self.out_dir, 'retrieval.json')
        with open(path, 'w') as f:
            json.dump(content, f, indent=1)
        print_log(f'retrieval results written to {path}', logger='current')
