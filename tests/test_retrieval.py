"""Nearest-neighbour retrieval: top-k function, metric, test loop, picture
hook, tool.

Toy set: a feature is the unit vector at angle ``v / 255 * 90`` degrees, so
cosine neighbours are the nearest values ``v`` (videos: grey level ``v``).
Gallery ``v`` (label): 20 (0), 60 (0), 120 (1), 160 (1), 200 (1), 240 (2).
Queries: 100 (0): neighbours 120, 60, ... -> miss at 1, hit at 2;
145 (1): hit at 1; 10 (2): the only label-2 item is 6th -> hit only when
k >= 6 (the whole gallery); 30 (0): hit at 1.
"""
import glob
import json
import math
import os
import os.path as osp
import socket
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from helpers import load_tool, write_video
from mmaction.registry import HOOKS, LOOPS, METRICS, MODELS
from mmaction.structures import ActionDataSample
from mmengine import Config
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.visualization import Visualizer
from torch import nn

from ascnet_mm.evaluation.functional import (feature_spectrum,
                                             retrieval_neighbours,
                                             retrieval_topk)
from ascnet_mm.evaluation.loops.retrieval_loop import _default_out_dir
from ascnet_mm.evaluation.metrics import (NEIGHBOURS_INFO, NNRetrievalMetric,
                                          RetrievalSizes)
from ascnet_mm.visualization import RetrievalVisualizationHook

GALLERY = [(20, 0), (60, 0), (120, 1), (160, 1), (200, 1), (240, 2)]
QUERIES = [(100, 0), (145, 1), (10, 2), (30, 0)]
TOPK = (1, 2, 5, 6)
EXPECTED = {'top1': 50.0, 'top2': 75.0, 'top5': 75.0, 'top6': 100.0}
# gallery indices nearest first, for query 0 (v = 100)
NEIGHBOURS_Q0 = [2, 1, 3, 0, 4]
SIZES = RetrievalSizes(gallery=len(GALLERY), query=len(QUERIES))
SYNTHETIC_CLS = Config.fromfile(
    osp.join(
        osp.dirname(__file__), '..', 'configs', '_base_', 'datasets',
        'synthetic_cls.py'))


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
    res = retrieval_topk(q, torch.full((4, ), 9), g, gl, (1, 6))
    assert res == {'top1': 0.0, 'top6': 0.0}
    # unknown labels (-1) never match, not even each other
    res = retrieval_topk(q, torch.full((4, ), -1), g, torch.full((6, ), -1),
                         (1, 6))
    assert res == {'top1': 0.0, 'top6': 0.0}
    with pytest.raises(
            ValueError,
            match='top-7 needs at least 7 gallery '
            'items, the gallery has 6'):
        retrieval_topk(q, torch.zeros(4), g, gl, (1, 7))
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
    res = metric.evaluate(SIZES)
    assert res == pytest.approx({
        f'retrieval/{k}': v
        for k, v in EXPECTED.items()
    })
    with open(tmp_path / 'retrieval.json') as f:
        dump = json.load(f)
    assert list(dump) == [
        'topk', 'num_query', 'num_gallery', 'num_query_scored',
        'num_query_unmatched', 'unmatched_queries', 'topk_not_reported',
        'gallery_spectrum', 'queries'
    ]
    assert dump['topk'] == pytest.approx(EXPECTED)
    assert (dump['num_query'], dump['num_gallery']) == (4, 6)
    assert dump['num_query_scored'] == 4
    assert dump['num_query_unmatched'] == {
        'no label': 0,
        'class not in gallery': 0
    }
    assert dump['topk_not_reported'] == []
    # the gallery's 2-D unit vectors: eigenvalues of their covariance
    g = np.stack([angle_feature(v).numpy() for v, _ in GALLERY])
    lam = np.linalg.eigvalsh(np.cov((g - g.mean(0)).T))[::-1]
    p = lam / lam.sum()
    assert dump['gallery_spectrum'] == pytest.approx(
        dict(
            effective_rank=math.exp(-(p * np.log(p)).sum()),
            top1_variance=p[0]),
        rel=1e-4)
    q0 = dump['queries'][0]
    assert q0 == dict(
        index=0,
        filename='query0.mp4',
        label=0,
        neighbours=NEIGHBOURS_Q0,
        neighbour_filenames=[f'gallery{j}.mp4' for j in NEIGHBOURS_Q0],
        neighbour_labels=[1, 0, 1, 0, 1],
        unmatched=None)
    # the same neighbours are left for the picture hook
    hub = MessageHub.get_current_instance()
    assert hub.pop_info(NEIGHBOURS_INFO) == dump['queries']
    # the metric only computes: no picture
    assert sorted(p.name for p in tmp_path.iterdir()) == ['retrieval.json']
    assert metric.results == []


@pytest.mark.parametrize('policy, expected', [
    ('exclude', EXPECTED),
    ('miss', {
        k: v * 4 / 6
        for k, v in EXPECTED.items()
    }),
])
def test_metric_reports_queries_that_cannot_hit(tmp_path, monkeypatch, policy,
                                                expected):
    """An unlabelled query and one of a class the gallery lacks (both
    nearest to a label-0 item: a hit if -1 or 5 matched anything)."""
    logged = []
    monkeypatch.setattr(
        'ascnet_mm.evaluation.metrics.retrieval_metric.print_log',
        lambda msg, **kwargs: logged.append(msg))
    metric = NNRetrievalMetric(
        topk=(*TOPK, 10, 20), out_dir=str(tmp_path), unmatched_queries=policy)
    metric.process(None, fake_samples(GALLERY, 'gallery'))
    metric.process(None, fake_samples([*QUERIES, (25, -1), (55, 5)], 'query'))
    res = metric.evaluate(RetrievalSizes(gallery=6, query=6))
    assert res == pytest.approx({
        f'retrieval/{k}': v
        for k, v in expected.items()
    })
    dump = json.loads((tmp_path / 'retrieval.json').read_text())
    assert dump['num_query'] == 6
    assert dump['num_query_scored'] == (4 if policy == 'exclude' else 6)
    assert dump['num_query_unmatched'] == {
        'no label': 1,
        'class not in gallery': 1
    }
    assert dump['unmatched_queries'] == policy
    assert dump['topk_not_reported'] == [10, 20]
    assert [q['unmatched'] for q in dump['queries']
            ] == [None] * 4 + ['no label', 'class not in gallery']
    assert ('retrieval: top10, top20 not reported: the gallery has 6 videos'
            in logged[0])
    verb = 'excluded from' if policy == 'exclude' else 'counted as misses in'
    assert logged[1] == (
        'retrieval: 2 of 6 queries cannot hit (no label, or a class with no '
        'gallery video), e.g. query4.mp4 (label -1: no label), query5.mp4 '
        f'(label 5: class not in gallery); they are {verb} the accuracy '
        f"(unmatched_queries='{policy}')")


def test_metric_refuses_what_it_cannot_report():
    with pytest.raises(ValueError, match="one of \\('exclude', 'miss'\\)"):
        NNRetrievalMetric(unmatched_queries='drop')
    metric = NNRetrievalMetric(topk=(10, 20))
    metric.process(None, fake_samples(GALLERY, 'gallery'))
    metric.process(None, fake_samples(QUERIES, 'query'))
    with pytest.raises(
            ValueError,
            match='every k of topk=\\(10, 20\\) is '
            'larger than the gallery \\(6 videos\\)'):
        metric.evaluate(SIZES)
    metric = NNRetrievalMetric(topk=1)
    metric.process(None, fake_samples(GALLERY, 'gallery'))
    metric.process(None, fake_samples([(10, 7), (20, -1)], 'query'))
    with pytest.raises(ValueError, match='none of the 2 queries has a label'):
        metric.evaluate(RetrievalSizes(gallery=6, query=2))


def test_metric_without_out_dir_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    metric = NNRetrievalMetric(topk=1, num_neighbours=2)
    metric.process(None, fake_samples(GALLERY, 'gallery'))
    metric.process(None, fake_samples(QUERIES, 'query'))
    assert metric.evaluate(SIZES) == {'retrieval/top1': 50.0}
    assert list(tmp_path.iterdir()) == []
    info = MessageHub.get_current_instance().pop_info(NEIGHBOURS_INFO)
    assert info[0]['neighbours'] == NEIGHBOURS_Q0[:2]


def test_metric_evaluate_needs_sizes():
    metric = NNRetrievalMetric()
    metric.process(None, fake_samples(GALLERY, 'gallery'))
    with pytest.raises(TypeError, match=r'RetrievalSizes\(gallery=\.\.\., '):
        metric.evaluate(len(GALLERY))


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
    metric = NNRetrievalMetric(topk=TOPK)
    gallery = fake_samples(GALLERY, 'gallery', 'pred_score')
    queries = fake_samples(QUERIES, 'query', 'pred_score')
    # an unremoved padded copy of gallery item 2 (label 1) would push query
    # 0's second neighbour (label 0) to third: top2 50 %
    metric.process(None, gallery + gallery[2:3])
    # an unremoved padded copy of query 0 (a top-1 miss) would give 40 %
    metric.process(None, queries + queries[:1])
    res = metric.evaluate(SIZES)
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
    """The synthetic retrieval protocol's query loader (its test pipeline:
    10 centre clips, ``filename`` packed) on ``ann``, batch 4, no
    workers."""
    loader = SYNTHETIC_CLS.val_dataloader
    return dict(
        loader,
        batch_size=4,
        num_workers=0,
        dataset=dict(
            loader.dataset, ann_file=ann, data_prefix=dict(video=video_dir)))


def test_loop_end_to_end(video_sets, tmp_path, capsys):
    gallery_ann, query_ann, video_dir = video_sets
    work_dir = tmp_path / 'work'
    runner = Runner(
        model=dict(type='RetrievalTestToyModel'),
        work_dir=str(work_dir),
        experiment_name='retrieval_loop_test',
        test_dataloader=loader_cfg(query_ann, video_dir),
        test_evaluator=dict(type='NNRetrievalMetric', topk=TOPK),
        test_cfg=dict(
            type='NNRetrievalTestLoop',
            gallery_dataloader=loader_cfg(gallery_ann, video_dir)),
        custom_hooks=[dict(type='RetrievalVisualizationHook', tile_size=32)],
        default_scope='mmaction')
    metrics = runner.test()
    assert metrics == pytest.approx({
        f'retrieval/{k}': v
        for k, v in EXPECTED.items()
    })
    assert 'top1 50.00, top2 75.00, top5 75.00, top6 100.00' in \
        capsys.readouterr().out
    # the loop built the metric with the work dir, it did not assign it
    assert runner.test_loop.evaluator.metrics[0].out_dir == str(work_dir)

    with open(work_dir / 'retrieval.json') as f:
        dump = json.load(f)
    assert dump['topk'] == pytest.approx(EXPECTED)
    assert dump['queries'][0]['neighbour_filenames'] == [
        osp.join(video_dir, f'gallery{j}.mp4') for j in NEIGHBOURS_Q0
    ]
    # the hook drew through the runner's visualizer (LocalVisBackend)
    assert not osp.exists(work_dir / 'retrieval.png')
    pngs = glob.glob(str(work_dir / '*/vis_data/vis_image/retrieval_0.png'))
    assert pngs == [
        osp.join(runner.log_dir, 'vis_data', 'vis_image', 'retrieval_0.png')
    ]
    # 4 query rows of tiles 32 + 2 * 2 px border; gap 9; 4 px under a row
    img = cv2.imread(pngs[0])
    assert img.shape == (4 * 40, 36 + 9 + 5 * 36, 3)
    # BGR: query border blue; query 0 (grey 100): 1st neighbour has label 1
    # (red), 2nd label 0 (green)
    assert img[1, 1].tolist() == [255, 128, 0]
    assert img[1, 36 + 9 + 1].tolist() == [0, 0, 255]
    assert img[1, 36 + 9 + 36 + 1].tolist() == [0, 200, 0]
    # tiles show the middle frame: grey ~100 in query 0's tile centre
    assert abs(int(img[20, 18, 1]) - 100) < 6


def _dist_worker(rank, port, gallery_ann, query_ann, video_dir, work_dir):
    """One of two gloo ranks running the retrieval loop; writes its
    metrics to ``work_dir/metrics.<rank>``."""
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE='2',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(port))
    torch.set_num_threads(1)
    runner = Runner(
        model=dict(type='RetrievalTestToyModel'),
        work_dir=work_dir,
        experiment_name='retrieval_dist_test',
        test_dataloader=dict(loader_cfg(query_ann, video_dir), batch_size=1),
        test_evaluator=dict(type='NNRetrievalMetric', topk=TOPK),
        test_cfg=dict(
            type='NNRetrievalTestLoop',
            gallery_dataloader=dict(
                loader_cfg(gallery_ann, video_dir), batch_size=1)),
        custom_hooks=[dict(type='RetrievalVisualizationHook', tile_size=32)],
        launcher='pytorch',
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        default_scope='mmaction')
    try:
        metrics = runner.test()
        with open(osp.join(work_dir, f'metrics.{rank}'), 'w') as f:
            json.dump(metrics, f)
    finally:
        torch_dist.destroy_process_group()


@pytest.mark.slow
def test_loop_two_processes_drop_sampler_padding(video_sets, tmp_path):
    """5 gallery and 3 query videos on 2 ranks: the sampler pads each part
    with a copy of its first item. Gallery order 2, 0, 1, 3, 4: a kept copy
    of gallery item 2 (label 1) would push query 0's label-0 neighbour to
    third (top2 50 %); a kept copy of query 0 (a top-1 miss) would give
    top1 33 %. Query 2's class (2) is not in this gallery: excluded; top6
    is larger than the gallery: not reported."""
    _, _, video_dir = video_sets
    gallery = [2, 0, 1, 3, 4]
    gallery_ann, query_ann = tmp_path / 'gallery.txt', tmp_path / 'query.txt'
    gallery_ann.write_text(''.join(f'gallery{j}.mp4 {GALLERY[j][1]}\n'
                                   for j in gallery))
    query_ann.write_text(''.join(f'query{i}.mp4 {QUERIES[i][1]}\n'
                                 for i in range(3)))
    work_dir = tmp_path / 'work'
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    mp.spawn(
        _dist_worker,
        nprocs=2,
        join=True,
        args=(port, str(gallery_ann), str(query_ann), video_dir,
              str(work_dir)))

    expected = {'top1': 50.0, 'top2': 100.0, 'top5': 100.0}
    q_v, q_l = zip(*QUERIES[:2])
    g_v, g_l = zip(*[GALLERY[j] for j in gallery])
    assert retrieval_topk(
        angle_feature(q_v), torch.tensor(q_l), angle_feature(g_v),
        torch.tensor(g_l), TOPK[:3]) == pytest.approx(expected)
    for rank in range(2):
        with open(work_dir / f'metrics.{rank}') as f:
            assert json.load(f) == pytest.approx({
                f'retrieval/{k}': v
                for k, v in expected.items()
            })
    with open(work_dir / 'retrieval.json') as f:
        dump = json.load(f)
    assert (dump['num_query'], dump['num_gallery']) == (3, 5)
    assert dump['num_query_scored'] == 2 and dump['topk_not_reported'] == [6]
    assert [q['filename'] for q in dump['queries']
            ] == [osp.join(video_dir, f'query{i}.mp4') for i in range(3)]
    # one picture, by the main process: 3 query rows of 5 neighbours
    (png, ) = glob.glob(str(work_dir / '*/vis_data/vis_image/*.png'))
    assert osp.basename(png) == 'retrieval_0.png'
    assert cv2.imread(png).shape == (3 * 40, 36 + 9 + 5 * 36, 3)


def _fake_runner(tmp_path, name):
    """What the hook uses of a runner: message hub, visualizer, log dir."""
    visualizer = Visualizer.get_instance(
        name,
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path))
    return SimpleNamespace(
        message_hub=MessageHub.get_instance(name),
        visualizer=visualizer,
        log_dir=str(tmp_path))


def test_hook_draws_evenly_spaced_queries_through_the_visualizer(tmp_path):
    runner = _fake_runner(tmp_path, 'retrieval_hook_test')
    # 5 queries with 1 or 2 neighbours: rows 0, 2 and 4 are drawn
    queries = [
        dict(
            filename=f'missing_q{i}.mp4',
            label=i % 2,
            neighbour_filenames=[f'missing_g{i}.mp4'] * (1 + i % 2),
            neighbour_labels=[0] * (1 + i % 2)) for i in range(5)
    ]
    runner.message_hub.update_info(NEIGHBOURS_INFO, queries, resumed=False)
    hook = HOOKS.build(
        dict(type='RetrievalVisualizationHook', num_queries=3, tile_size=28))
    assert isinstance(hook, RetrievalVisualizationHook)
    hook.after_test_epoch(runner)
    img = cv2.imread(str(tmp_path / 'vis_data/vis_image/retrieval_0.png'))
    # rows of 28 + 2 * 2 px tiles, 4 px apart; query, 8 px gap, 1 neighbour
    # (the widest row would have 2 if row 1 or 3 had been drawn)
    assert img.shape == (3 * 36, 32 + 8 + 32, 3)
    # unreadable videos: grey tiles; query label 0 -> neighbour green,
    # label 1 -> red (no query drawn has label 1: rows 0, 2, 4 are even)
    assert img[16, 16].tolist() == [128, 128, 128]
    assert img[1, 1].tolist() == [255, 128, 0]
    assert img[1, 40 + 1].tolist() == [0, 200, 0]
    # consumed: a second epoch without a metric draws nothing new
    assert runner.message_hub.get_info(NEIGHBOURS_INFO) is None


def test_hook_skips_without_filenames_or_neighbours(tmp_path):
    runner = _fake_runner(tmp_path, 'retrieval_hook_skip_test')
    hook = RetrievalVisualizationHook()
    hook.after_test_epoch(runner)  # no metric ran: a warning, no picture
    runner.message_hub.update_info(
        NEIGHBOURS_INFO, [
            dict(
                filename=None,
                label=0,
                neighbour_filenames=[None],
                neighbour_labels=[0])
        ],
        resumed=False)
    hook.after_test_epoch(runner)
    assert not osp.exists(tmp_path / 'vis_data')


@pytest.mark.parametrize('evaluator,expected', [
    (dict(type='NNRetrievalMetric'), dict(
        type='NNRetrievalMetric', out_dir='W')),
    (dict(type='NNRetrievalMetric',
          out_dir='mine'), dict(type='NNRetrievalMetric', out_dir='mine')),
    ([dict(type='NNRetrievalMetric'),
      dict(type='AccMetric')
      ], [dict(type='NNRetrievalMetric', out_dir='W'),
          dict(type='AccMetric')]),
    (dict(metrics=[dict(type='mmaction.NNRetrievalMetric')]),
     dict(metrics=[dict(type='mmaction.NNRetrievalMetric', out_dir='W')])),
])
def test_loop_fills_the_metric_config_out_dir(evaluator, expected):
    import mmaction.evaluation  # noqa: F401  registers AccMetric
    assert _default_out_dir(evaluator, 'W') == expected
    # the caller's config is left as it was
    assert 'W' not in json.dumps(evaluator)


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
