"""Nearest-neighbour retrieval: top-k function, metric, test loop, tool.

Toy set: a feature is the unit vector at angle ``v / 255 * 90`` degrees, so
cosine neighbours are the nearest values ``v`` (videos: grey level ``v``).
Gallery ``v`` (label): 20 (0), 60 (0), 120 (1), 160 (1), 200 (1), 240 (2).
Queries: 100 (0): neighbours 120, 60, ... -> miss at 1, hit at 2;
145 (1): hit at 1; 10 (2): the only label-2 item is 6th -> hit only when
k >= 6 (k = 10 is clamped to 6); 30 (0): hit at 1.
"""
import json
import math
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from helpers import load_tool, write_video
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

from mmaction.registry import LOOPS, METRICS, MODELS
from mmaction.structures import ActionDataSample
from ascnet_mm.evaluation.functional import (feature_spectrum,
                                             retrieval_neighbours,
                                             retrieval_topk)
from ascnet_mm.evaluation.metrics import NNRetrievalMetric

GALLERY = [(20, 0), (60, 0), (120, 1), (160, 1), (200, 1), (240, 2)]
QUERIES = [(100, 0), (145, 1), (10, 2), (30, 0)]
TOPK = (1, 2, 5, 10)
EXPECTED = {'top1': 50.0, 'top2': 75.0, 'top5': 75.0, 'top10': 100.0}
# gallery indices nearest first, for query 0 (v = 100)
NEIGHBOURS_Q0 = [2, 1, 3, 0, 4]


def angle_feature(v):
    """(..., 2) unit vectors at angle ``v / 255 * 90`` degrees."""
    angle = torch.as_tensor(v, dtype=torch.float32) / 255 * (math.pi / 2)
    return torch.stack([angle.cos(), angle.sin()], -1)


def toy_set():
    g_v, g_l = zip(*GALLERY)
    q_v, q_l = zip(*QUERIES)
    return (angle_feature(q_v), torch.tensor(q_l), angle_feature(g_v),
            torch.tensor(g_l))


# ------------------------------------------------------------- functional
def test_retrieval_topk_exact():
    q, ql, g, gl = toy_set()
    assert retrieval_topk(q, ql, g, gl, TOPK) == pytest.approx(EXPECTED)
    # cosine: invariant to the norm of every row; chunking changes nothing
    scale_g = torch.tensor([3., .5, 2., 7., .1, 4.])[:, None]
    assert retrieval_topk(
        q * 5, ql, g * scale_g, gl, TOPK,
        chunk_size=1) == pytest.approx(EXPECTED)
    assert retrieval_topk(q, ql, g, gl, 1) == pytest.approx({'top1': 50.0})


def test_retrieval_neighbours_order_and_clamp():
    q, _, g, _ = toy_set()
    nbrs = retrieval_neighbours(q, g, 5)
    assert nbrs.shape == (4, 5) and nbrs.dtype == torch.int64
    assert nbrs[0].tolist() == NEIGHBOURS_Q0
    assert nbrs[2].tolist() == [0, 1, 2, 3, 4]
    assert retrieval_neighbours(q, g, 50, chunk_size=3).shape == (4, 6)


def test_retrieval_topk_label_absent_and_errors():
    q, _, g, gl = toy_set()
    res = retrieval_topk(q, torch.full((4, ), 9), g, gl, (1, 100))
    assert res == {'top1': 0.0, 'top100': 0.0}
    with pytest.raises(ValueError):
        retrieval_topk(q, torch.zeros(4), g[:0], gl[:0])
    with pytest.raises(ValueError):
        retrieval_topk(q, torch.zeros(4), g, gl, (0, 1))


# ------------------------------------------------------------------ metric
def fake_samples(items, role, field='feature'):
    """Dicts as ``Evaluator.process`` hands them to a metric."""
    out = []
    for i, (v, label) in enumerate(items):
        s = ActionDataSample().set_gt_label(label)
        s.set_field(angle_feature(v), field)
        s.set_metainfo({'retrieval_role': role, 'filename': f'{role}{i}.mp4'})
        out.append(s.to_dict())
    return out


def test_metric_end_to_end(tmp_path):
    metric = NNRetrievalMetric(topk=TOPK, out_dir=str(tmp_path))
    metric.process(None, fake_samples(GALLERY, 'gallery'))
    metric.process(None, fake_samples(QUERIES, 'query'))
    res = metric.evaluate(len(GALLERY) + len(QUERIES))
    assert res == pytest.approx({
        f'retrieval/{k}': v
        for k, v in EXPECTED.items()
    })
    with open(tmp_path / 'retrieval.json') as f:
        dump = json.load(f)
    assert dump['topk'] == pytest.approx(EXPECTED)
    assert (dump['num_query'], dump['num_gallery']) == (4, 6)
    # the gallery's 2-D unit vectors: eigenvalues of their covariance
    g = np.stack([angle_feature(v).numpy() for v, _ in GALLERY])
    lam = np.linalg.eigvalsh(np.cov((g - g.mean(0)).T))[::-1]
    p = lam / lam.sum()
    assert dump['gallery_spectrum'] == pytest.approx(
        dict(effective_rank=math.exp(-(p * np.log(p)).sum()),
             top1_variance=p[0]), rel=1e-4)
    q0 = dump['queries'][0]
    assert (q0['filename'], q0['label']) == ('query0.mp4', 0)
    assert q0['neighbours'] == NEIGHBOURS_Q0
    assert q0['neighbour_filenames'] == [
        f'gallery{j}.mp4' for j in NEIGHBOURS_Q0
    ]
    assert q0['neighbour_labels'] == [1, 0, 1, 0, 1]
    # unreadable videos give grey tiles, the picture is still written
    assert cv2.imread(str(tmp_path / 'retrieval.png')) is not None
    assert metric.results == []


def test_feature_spectrum_hand_computed():
    e = torch.eye(3)
    # +-e1, +-e2: equal variance along two directions -> rank 2, half each
    two = torch.stack([e[0], -e[0], e[1], -e[1]])
    assert feature_spectrum(two) == pytest.approx(
        dict(effective_rank=2.0, top1_variance=0.5))
    # e1 twice as often: shares 2/3 and 1/3; the row scale is irrelevant
    skew = torch.stack([e[0], -e[0], 3 * e[0], -e[0], e[1], -5 * e[1]])
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert feature_spectrum(skew) == pytest.approx(
        dict(effective_rank=math.exp(h), top1_variance=2 / 3))
    # a line: full collapse; identical rows: no variance at all
    assert feature_spectrum(torch.stack([e[2], -e[2]])) == pytest.approx(
        dict(effective_rank=1.0, top1_variance=1.0))
    assert feature_spectrum(e[:1].repeat(5, 1)) == dict(
        effective_rank=0.0, top1_variance=0.0)
    with pytest.raises(ValueError, match=r'\(N, C\) features with N >= 2'):
        feature_spectrum(e[:1])


def test_metric_drops_padding_and_uses_pred_score(tmp_path):
    """Distributed samplers pad each part: [gallery, pad, query, pad]."""
    metric = NNRetrievalMetric(topk=TOPK, num_vis_queries=0)
    metric.num_gallery = len(GALLERY)
    gallery = fake_samples(GALLERY, 'gallery', 'pred_score')
    queries = fake_samples(QUERIES, 'query', 'pred_score')
    metric.process(None, gallery + gallery[:2])
    # an unremoved padded copy of query 0 (a top-1 miss) would give 40 %
    metric.process(None, queries + queries[:1])
    res = metric.evaluate(len(GALLERY) + len(QUERIES))
    assert res == pytest.approx({
        f'retrieval/{k}': v
        for k, v in EXPECTED.items()
    })


def test_metric_needs_role():
    metric = NNRetrievalMetric()
    sample = ActionDataSample().set_gt_label(0)
    sample.set_field(torch.ones(2), 'feature')
    with pytest.raises(KeyError, match='retrieval_role'):
        metric.process(None, [sample.to_dict()])


def test_registered_beside_stock_names():
    import mmaction.engine.runner  # noqa: F401
    import mmaction.evaluation  # noqa: F401
    assert METRICS.get('NNRetrievalMetric') is NNRetrievalMetric
    assert LOOPS.get('NNRetrievalTestLoop').__module__.startswith('ascnet_mm')
    assert METRICS.get('RetrievalMetric').__module__.startswith('mmaction')


# ---------------------------------------------------- loop and tool, real
@MODELS.register_module()
class RetrievalTestToyModel(BaseModel):
    """``feature`` = mean over clips of ``angle_feature(mean grey level)``
    times a learnable ``scale`` (1 at init)."""

    def __init__(self):
        super().__init__(
            data_preprocessor=dict(
                type='ActionDataPreprocessor', format_shape='NCTHW'))
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        # inputs (N, V, C, T, H, W) -> feats (N, 2)
        feats = angle_feature(inputs.mean((2, 3, 4, 5))).mean(1) * self.scale
        if mode == 'tensor':
            return feats
        for sample, feat in zip(data_samples, feats):
            sample.set_field(feat, 'feature')
        return data_samples


@pytest.fixture(scope='module')
def video_sets(tmp_path_factory):
    """(gallery ann, query ann, video dir) of 32x32 constant-grey videos."""
    root = tmp_path_factory.mktemp('videos')
    anns = []
    for role, items in (('gallery', GALLERY), ('query', QUERIES)):
        lines = []
        for i, (v, label) in enumerate(items):
            write_video(root / f'{role}{i}.mp4',
                        np.full((12, 32, 32, 3), v, np.uint8))
            lines.append(f'{role}{i}.mp4 {label}\n')
        (root / f'{role}.txt').write_text(''.join(lines))
        anns.append(str(root / f'{role}.txt'))
    return anns[0], anns[1], str(root)


def loader_cfg(ann, video_dir):
    pipeline = [
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=4,
            frame_interval=1,
            num_clips=2,
            test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        # meta_keys replaces the stock default; keys absent are skipped
        dict(type='PackActionInputs', meta_keys=('filename', )),
    ]
    return dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='VideoDataset',
            ann_file=ann,
            data_prefix=dict(video=video_dir),
            pipeline=pipeline,
            test_mode=True))


def test_loop_end_to_end(video_sets, tmp_path, capsys):
    gallery_ann, query_ann, video_dir = video_sets
    work_dir = tmp_path / 'work'
    runner = Runner(
        model=dict(type='RetrievalTestToyModel'),
        work_dir=str(work_dir),
        experiment_name='retrieval_loop_test',
        test_dataloader=loader_cfg(query_ann, video_dir),
        test_evaluator=dict(type='NNRetrievalMetric', topk=TOPK, vis_size=32),
        test_cfg=dict(
            type='NNRetrievalTestLoop',
            gallery_dataloader=loader_cfg(gallery_ann, video_dir)),
        default_scope='mmaction')
    metrics = runner.test()
    assert metrics == pytest.approx({
        f'retrieval/{k}': v
        for k, v in EXPECTED.items()
    })
    assert 'top1 50.00, top2 75.00, top5 75.00, top10 100.00' in \
        capsys.readouterr().out

    with open(work_dir / 'retrieval.json') as f:
        dump = json.load(f)
    assert dump['topk'] == pytest.approx(EXPECTED)
    assert dump['queries'][0]['neighbour_filenames'] == [
        osp.join(video_dir, f'gallery{j}.mp4') for j in NEIGHBOURS_Q0
    ]
    # 4 query rows of tiles 32 + 2 * 2 px border; gap 9; 4 px under a row
    img = cv2.imread(str(work_dir / 'retrieval.png'))
    assert img.shape == (4 * 40, 36 + 9 + 5 * 36, 3)
    # query 0 (grey 100): 1st neighbour has label 1 (red), 2nd label 0 (green)
    assert img[1, 36 + 9 + 1].tolist() == [0, 0, 255]
    assert img[1, 36 + 9 + 36 + 1].tolist() == [0, 200, 0]
    # tiles show the middle frame: grey ~100 in query 0's tile centre
    assert abs(int(img[20, 18, 1]) - 100) < 6


def test_extract_features_tool(video_sets, tmp_path):
    gallery_ann, query_ann, video_dir = video_sets
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        "default_scope = 'mmaction'\n"
        "model = dict(type='RetrievalTestToyModel')\n"
        f'test_dataloader = {loader_cfg(query_ann, video_dir)!r}\n'
        "test_evaluator = dict(type='NNRetrievalMetric')\n"
        "test_cfg = dict(type='NNRetrievalTestLoop', gallery_dataloader="
        f'{loader_cfg(gallery_ann, video_dir)!r})\n')
    ckpt = tmp_path / 'ckpt.pth'
    torch.save({'state_dict': {'scale': torch.tensor([2.])}}, ckpt)
    tool = load_tool('analysis/extract_features')

    out = tmp_path / 'feats.npz'
    tool.main([
        str(cfg),
        str(ckpt), '--split', 'train', '--out',
        str(out), '--work-dir',
        str(tmp_path / 'work')
    ])
    feats = np.load(out)
    assert feats['features'].shape == (6, 2)
    assert feats['features'].dtype == np.float32
    # scale 2 from the checkpoint; direction from the grey level
    g_v = [v for v, _ in GALLERY]
    np.testing.assert_allclose(
        feats['features'], 2 * angle_feature(g_v).numpy(), atol=0.03)
    assert feats['labels'].tolist() == [label for _, label in GALLERY]
    assert feats['filenames'].tolist() == [
        osp.join(video_dir, f'gallery{i}.mp4') for i in range(6)
    ]
