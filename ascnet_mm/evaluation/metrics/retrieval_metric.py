"""Nearest-neighbour video retrieval metric (queries = test, gallery = train).

Registered as ``NNRetrievalMetric``: MMAction2 already registers a
``RetrievalMetric`` (video-text retrieval) in the same registry.
"""
import json
import logging
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from mmaction.registry import METRICS
from ..functional import (feature_spectrum, retrieval_neighbours,
                          retrieval_topk)

ROLE_KEY = 'retrieval_role'
ROLES = ('gallery', 'query')


def sample_record(sample: Union[dict, BaseDataElement]) -> dict:
    """``feature`` (C,) float cpu (``pred_score`` if there is no
    ``feature``), ``label`` int (-1 if unknown) and ``filename`` (or None)
    of one predicted data sample."""
    if isinstance(sample, BaseDataElement):
        sample = sample.to_dict()
    feat = sample.get('feature')
    if feat is None:
        feat = sample.get('pred_score')
    if feat is None:
        raise KeyError('a retrieval data sample needs a `feature` (or '
                       f'`pred_score`) field; it has {sorted(sample)}')
    label = sample.get('gt_label')
    label = -1 if label is None else int(torch.as_tensor(label).reshape(-1)[0])
    return dict(
        feature=torch.as_tensor(feat).detach().float().cpu().reshape(-1),
        label=label,
        filename=sample.get('filename'))


@METRICS.register_module()
class NNRetrievalMetric(BaseMetric):
    """Top-k nearest-neighbour retrieval accuracy, run by
    :class:`NNRetrievalTestLoop`.

    Each data sample carries ``feature`` (C,), ``gt_label`` and the metainfo
    ``retrieval_role`` ('gallery' or 'query', set by the loop). Writes
    ``retrieval.json`` (results, counts, the gallery's feature spectrum,
    each query's nearest gallery items) and ``retrieval.png`` (middle frames
    of some queries and their neighbours; blue border: query, green: same
    label, red: different) into ``out_dir``. The spectrum (see
    :func:`feature_spectrum`) is logged too: a low effective rank flags
    dimensional collapse.

    Args:
        topk (int | Sequence[int]): k values. Defaults to (1, 5, 10, 20, 50).
        out_dir (str, optional): where to write the files; the loop sets the
            runner's work dir when None. Nothing is written if still None.
        num_neighbours (int): neighbours kept per query in the JSON and the
            picture. Defaults to 5.
        num_vis_queries (int): query rows in the picture (evenly spaced over
            the query set); 0 disables it. Defaults to 6.
        vis_size (int): side of a picture tile in pixels. Defaults to 112.
        chunk_size (int): queries per similarity block. Defaults to 1024.
    """

    default_prefix: Optional[str] = 'retrieval'

    def __init__(self,
                 topk: Union[int, Sequence[int]] = (1, 5, 10, 20, 50),
                 out_dir: Optional[str] = None,
                 num_neighbours: int = 5,
                 num_vis_queries: int = 6,
                 vis_size: int = 112,
                 chunk_size: int = 1024,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.topk = (topk, ) if isinstance(topk, int) else tuple(topk)
        self.out_dir = out_dir
        self.num_neighbours = num_neighbours
        self.num_vis_queries = num_vis_queries
        self.vis_size = vis_size
        self.chunk_size = chunk_size
        # set by the loop: true gallery length, to drop distributed padding
        self.num_gallery: Optional[int] = None
        self._size: Optional[int] = None

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store feature, label, role and filename of each sample."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            role = sample.get(ROLE_KEY)
            if role not in ROLES:
                raise KeyError(
                    f'data sample has {ROLE_KEY}={role!r}; expected one of '
                    f'{ROLES}. Run {type(self).__name__} with '
                    "test_cfg=dict(type='NNRetrievalTestLoop', ...)")
            record = sample_record(sample)
            record['role'] = role
            self.results.append(record)

    def evaluate(self, size: int) -> dict:
        """``size`` = number of gallery + query videos.

        Each rank holds its gallery results then its query results; the
        gathered list is therefore all gallery then all query items, each
        part with its own sampler padding at its end. We collect everything
        and drop each part's padding in :meth:`compute_metrics`.
        """
        self._size = size
        return super().evaluate(None)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Top-k retrieval accuracy (%) of the queries against the gallery."""
        gallery = [r for r in results if r['role'] == 'gallery']
        queries = [r for r in results if r['role'] == 'query']
        if self.num_gallery is not None:
            gallery = gallery[:self.num_gallery]
            if self._size is not None:
                queries = queries[:self._size - self.num_gallery]
        if not gallery or not queries:
            raise ValueError(f'retrieval needs a gallery ({len(gallery)} '
                             f'items) and queries ({len(queries)} items)')
        g_feats = torch.stack([r['feature'] for r in gallery])
        q_feats = torch.stack([r['feature'] for r in queries])
        g_labels = torch.tensor([r['label'] for r in gallery])
        q_labels = torch.tensor([r['label'] for r in queries])

        metrics = retrieval_topk(q_feats, q_labels, g_feats, g_labels,
                                 self.topk, self.chunk_size)
        spectrum = feature_spectrum(g_feats) if len(gallery) > 1 else None
        print_log(
            f'retrieval of {len(queries)} queries in {len(gallery)} gallery '
            'videos: ' + ', '.join(f'{k} {v:.2f}' for k, v in metrics.items())
            + ('' if spectrum is None else
               '; gallery features: effective rank '
               f'{spectrum["effective_rank"]:.1f} of {g_feats.shape[1]}, '
               f'{100 * spectrum["top1_variance"]:.0f}% of the variance '
               'along one direction'),
            logger='current')
        if self.out_dir is None:
            print_log(
                f'{type(self).__name__}: no out_dir, retrieval.json and '
                'retrieval.png are not written',
                logger='current',
                level=logging.WARNING)
            return metrics

        nbrs = retrieval_neighbours(q_feats, g_feats, self.num_neighbours,
                                    self.chunk_size).tolist()
        os.makedirs(self.out_dir, exist_ok=True)
        self._dump_json(metrics, queries, gallery, nbrs, spectrum)
        self._draw(queries, gallery, nbrs)
        return metrics

    def _dump_json(self, metrics: dict, queries: List[dict],
                   gallery: List[dict], nbrs: List[List[int]],
                   spectrum: Optional[dict] = None) -> None:
        per_query = [
            dict(
                index=i,
                filename=q['filename'],
                label=q['label'],
                neighbours=nn,
                neighbour_filenames=[gallery[j]['filename'] for j in nn],
                neighbour_labels=[gallery[j]['label'] for j in nn])
            for i, (q, nn) in enumerate(zip(queries, nbrs))
        ]
        out = dict(
            topk=metrics,
            num_query=len(queries),
            num_gallery=len(gallery),
            gallery_spectrum=spectrum,
            queries=per_query)
        path = osp.join(self.out_dir, 'retrieval.json')
        with open(path, 'w') as f:
            json.dump(out, f, indent=1)
        print_log(f'retrieval results written to {path}', logger='current')

    def _draw(self, queries: List[dict], gallery: List[dict],
              nbrs: List[List[int]]) -> None:
        """Rows of (query, its neighbours) middle frames -> retrieval.png."""
        num = min(self.num_vis_queries, len(queries))
        if num <= 0:
            return
        rows = np.unique(
            np.linspace(0,
                        len(queries) - 1, num).round().astype(int)).tolist()
        items = [queries[i]
                 for i in rows] + [gallery[j] for i in rows for j in nbrs[i]]
        if any(r['filename'] is None for r in items):
            print_log(
                'retrieval.png skipped: data samples have no `filename`; add '
                "'filename' to PackActionInputs(meta_keys=...)",
                logger='current')
            return
        frames: Dict[str, np.ndarray] = {}
        lines = []
        for i in rows:
            query = queries[i]
            tiles = [self._tile(query, frames, (255, 128, 0))]
            for j in nbrs[i]:
                hit = gallery[j]['label'] == query['label']
                tiles.append(
                    self._tile(gallery[j], frames, (0, 200, 0) if hit else
                               (0, 0, 255)))
            side = tiles[0].shape[0]
            gap = np.full((side, side // 4, 3), 255, np.uint8)
            lines.append(np.concatenate([tiles[0], gap] + tiles[1:], axis=1))
        width = max(line.shape[1] for line in lines)
        lines = [
            cv2.copyMakeBorder(
                line,
                0,
                4,
                0,
                width - line.shape[1],
                cv2.BORDER_CONSTANT,
                value=(255, 255, 255)) for line in lines
        ]
        path = osp.join(self.out_dir, 'retrieval.png')
        cv2.imwrite(path, np.concatenate(lines, axis=0))
        print_log(f'retrieval picture written to {path}', logger='current')

    def _tile(self, record: dict, cache: Dict[str, np.ndarray],
              colour) -> np.ndarray:
        """Middle frame of ``record``'s video (BGR), labelled and bordered."""
        name = record['filename']
        if name not in cache:
            cache[name] = _middle_frame(name, self.vis_size)
        img = cache[name].copy()
        text = str(record['label'])
        for thick, col in ((3, (0, 0, 0)), (1, (255, 255, 255))):
            cv2.putText(img, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, col,
                        thick, cv2.LINE_AA)
        b = max(2, self.vis_size // 28)
        return cv2.copyMakeBorder(
            img, b, b, b, b, cv2.BORDER_CONSTANT, value=colour)


def _middle_frame(filename: str, size: int) -> np.ndarray:
    """``(size, size, 3)`` BGR middle frame of a video (grey if unreadable)."""
    try:
        import decord
        reader = decord.VideoReader(filename, num_threads=1)
        img = reader[len(reader) // 2].asnumpy()
        return cv2.resize(cv2.cvtColor(img, cv2.COLOR_RGB2BGR), (size, size))
    except Exception as e:  # noqa: BLE001 - a picture must not fail the test
        print_log(
            f'cannot decode {filename} for retrieval.png: {e}',
            logger='current',
            level=logging.WARNING)
        return np.full((size, size, 3), 128, np.uint8)
