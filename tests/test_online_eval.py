"""Online evaluation during pretraining: kNN voting, RankMe, feature std,
the metric (roles, padding), the collapse alarm."""
import logging
import math
from types import SimpleNamespace

import pytest
import torch
from mmaction.registry import HOOKS, LOOPS, METRICS
from mmaction.structures import ActionDataSample
from mmengine.registry import DefaultScope

from ascnet_mm.datasets import SpeedProbeDataset
from ascnet_mm.datasets.transforms import SpeedProbeFrames
from ascnet_mm.engine.hooks import (CollapseAlarmHook, FeatureCollapseError,
                                    collapse_alarms)
from ascnet_mm.evaluation.functional import (feature_std, knn_classify,
                                             logistic_probe, rankme,
                                             topk_accuracy)
from ascnet_mm.evaluation.metrics import OnlineEvalSizes, OnlineKNNMetric
from ascnet_mm.evaluation.metrics.online_eval_metric import \
    speed_probe_accuracy

E = torch.eye(3)
DIAG = (E[0] + E[1]) / math.sqrt(2)


def test_knn_classify_weighted_votes_hand_computed():
    memory = torch.stack([E[0], E[1], DIAG])
    labels = torch.tensor([0, 1, 1])
    # e1: neighbours e1 (sim 1, label 0) and diag (sim 0.707, label 1);
    # e2: e2 (1, label 1) and diag (0.707, label 1); the scale is irrelevant
    scores = knn_classify(
        torch.stack([2 * E[0], E[1]]), memory, labels, k=2, temperature=0.5)
    w1, w2 = math.exp(1 / 0.5), math.exp(math.sqrt(0.5) / 0.5)
    assert scores.flatten().tolist() == pytest.approx([w1, w2, 0.0, w1 + w2])
    # k = 1: plain nearest neighbour; k clamps to the memory; num_classes
    scores = knn_classify(E[:1], memory, labels, k=1, num_classes=4)
    assert scores.shape == (1, 4) and scores.argmax().item() == 0
    assert knn_classify(E[:1], memory, labels, k=99).shape == (1, 2)
    with pytest.raises(ValueError, match='one label per memory row'):
        knn_classify(E[:1], memory, labels[:2])


def test_topk_accuracy():
    scores = torch.tensor([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    assert topk_accuracy(scores, [0, 1], (1, 2, 5)) == dict(
        top1=50.0, top2=100.0, top5=100.0)


def test_rankme_hand_computed():
    # singular values 3 and 1: p = (3/4, 1/4)
    h = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert rankme(
        torch.tensor([[3.0, 0.0], [0.0, 1.0]]),
        eps=0) == pytest.approx(math.exp(h))
    # equal singular values: the full rank; rank one: 1; zeros: 0
    assert rankme(2 * torch.eye(4), eps=0) == pytest.approx(4.0)
    assert rankme(torch.tensor([[1.0, 1.0], [2.0, 2.0]])) == pytest.approx(
        1.0, abs=1e-5)
    assert rankme(torch.zeros(3, 2)) == 0.0


def test_feature_std_healthy_line_and_constant():
    # +-e_i for every axis of 4: centred rows on the axes, std 1/sqrt(4)
    # per dimension (population of 8 with two +-1 entries: sqrt(2/7))
    spread = torch.cat([torch.eye(4), -torch.eye(4)]) + 5.0
    assert feature_std(spread) == pytest.approx(math.sqrt(2 / 7))
    # along one axis: only that dimension varies -> std 1 / 4 of it
    line = torch.tensor([[1.0, 0, 0, 0], [-1.0, 0, 0, 0]]) + 5.0
    assert feature_std(line) == pytest.approx(math.sqrt(2) / 4)
    assert feature_std(torch.ones(5, 4)) == 0.0


def test_logistic_probe_separable_and_deterministic():
    x = torch.tensor([[0.0, 1.0], [0.1, 0.9], [1.0, 0.0], [0.9, 0.2]])
    y = torch.tensor([0, 0, 1, 1])
    acc = logistic_probe(x, y, x.flip(0), y.flip(0), steps=50)
    assert acc == 100.0
    assert logistic_probe(x, y, x, 1 - y, steps=50) == 0.0


def samples(feats, labels, role):
    out = []
    for feat, label in zip(feats, labels):
        s = ActionDataSample().set_gt_label(int(label))
        s.set_field(feat, 'feature')
        s.set_metainfo(dict(retrieval_role=role))
        out.append(s)
    return out


def test_metric_logs_knn_and_spectrum_and_drops_padding():
    memory = torch.stack([E[0], E[1], DIAG])
    queries = torch.stack([E[0], E[1]])
    metric = OnlineKNNMetric(k=2, temperature=0.5)
    # each pass with a padded copy of its first item at its end
    metric.process(None, samples([*memory, memory[0]], [0, 1, 1, 0], 'memory'))
    metric.process(None, samples([*queries, queries[0]], [0, 1, 0], 'query'))
    res = metric.evaluate(OnlineEvalSizes(memory=3, query=2))
    assert sorted(res) == [
        'knn/top1', 'knn/top5', 'spectrum/effective_rank',
        'spectrum/feature_std', 'spectrum/rankme', 'spectrum/top1_share'
    ]
    assert res['knn/top1'] == 100.0 and res['knn/top5'] == 100.0
    assert res['spectrum/rankme'] == pytest.approx(rankme(memory))
    assert res['spectrum/feature_std'] == pytest.approx(feature_std(memory))
    assert 0 < res['spectrum/top1_share'] <= 1
    assert 1 <= res['spectrum/effective_rank'] <= 2


def test_metric_needs_sizes_and_roles():
    metric = OnlineKNNMetric()
    with pytest.raises(KeyError, match="OnlineEvalValLoop"):
        metric.process(None, samples(E[:1], [0], 'gallery'))
    with pytest.raises(TypeError, match=r'OnlineEvalSizes\(memory=\.\.\.'):
        metric.evaluate(3)


def test_registered():
    assert METRICS.get('OnlineKNNMetric') is OnlineKNNMetric
    assert LOOPS.get('OnlineEvalValLoop').__module__.startswith('ascnet_mm')
    assert HOOKS.get('CollapseAlarmHook') is CollapseAlarmHook


def test_collapse_alarms_messages():
    history = {
        'spectrum/effective_rank': [20.0, 12.0, 6.0, 4.5],
        'spectrum/feature_std': [0.08, 0.05]
    }
    alarms = collapse_alarms(history, 0.25, 0.01, trend=3)
    assert alarms == [
        'spectrum/effective_rank 4.5 is below 0.25 x its first value '
        '(first 20; last measurements 12, 6, 4.5)'
    ]
    history['spectrum/feature_std'].append(0.004)
    assert collapse_alarms(history, 0.2, 0.01, 5) == [
        'spectrum/feature_std 0.004 is below 0.01 (first 0.08; last '
        'measurements 0.08, 0.05, 0.004)'
    ]
    assert collapse_alarms({}, 0.25, 0.01, 5) == []


def test_hook_warns_then_stops(monkeypatch):
    logged = []
    monkeypatch.setattr(
        'ascnet_mm.engine.hooks.collapse_alarm_hook.print_log',
        lambda msg, **kwargs: logged.append((msg, kwargs['level'])))
    runner = SimpleNamespace(epoch=3, iter=30)
    quiet = dict({
        'spectrum/effective_rank': 10.0,
        'spectrum/feature_std': 0.05
    })
    hook = CollapseAlarmHook()
    hook.after_val_epoch(runner, quiet)
    hook.after_val_epoch(runner, dict(quiet, **{'knn/top1': 1.0}))
    hook.after_val_epoch(runner, None)
    assert logged == []
    hook.after_val_epoch(runner, {'spectrum/effective_rank': 2.0})
    assert logged == [
        ('feature collapse at epoch 3, iteration 30: spectrum/effective_rank '
         '2 is below 0.25 x its first value (first 10; last measurements 10, '
         '10, 2)', logging.WARNING)
    ]
    stop = CollapseAlarmHook(stop=True)
    stop.after_val_epoch(runner, quiet)
    with pytest.raises(
            FeatureCollapseError,
            match=r'feature_std 0 is below 0.01 \(first 0.05'):
        stop.after_val_epoch(runner,
                             dict(quiet, **{'spectrum/feature_std': 0.0}))


def test_kinetics_switch_resolves_and_names_missing_lists(tmp_path):
    """The documented switch on a Kinetics config: UCF-101 split 1, every
    5 epochs, the alarm; the training part unchanged."""
    from mmengine.config import Config

    from ascnet_mm.evaluation.loops.online_eval_loop import _ann_file
    from ascnet_mm.utils import CONFIG_ROOT
    k400 = f'{CONFIG_ROOT}/ascnet/r18_k400.py'
    switched = tmp_path / 'k400_online.py'
    switched.write_text(
        f"_base_ = ['{k400}', '{CONFIG_ROOT}/_base_/online_eval_ucf101.py']\n"
        'train_cfg = _base_.online_train_cfg\n'
        'custom_hooks = [*_base_.custom_hooks, _base_.collapse_alarm]\n')
    cfg, plain = Config.fromfile(str(switched)), Config.fromfile(k400)
    assert cfg.train_cfg == dict(plain.train_cfg, val_begin=5, val_interval=5)
    for key in ('model', 'train_dataloader', 'optim_wrapper',
                'param_scheduler'):
        assert cfg[key] == plain[key]
    assert plain.get('val_cfg') is None
    assert cfg.custom_hooks == [*plain.custom_hooks, cfg.collapse_alarm]
    assert cfg.val_cfg.type == 'OnlineEvalValLoop'
    assert [
        _ann_file(cfg.val_cfg.memory_dataloader),
        _ann_file(cfg.val_dataloader)
    ] == [
        'data/ucf101/ucf101_train_split_1_videos.txt',
        'data/ucf101/ucf101_val_split_1_videos.txt'
    ]


def test_speed_probe_frames_centred_and_looped():
    frames = SpeedProbeFrames(clip_len=4)
    out = frames(dict(probe_speed=2, total_frames=20, start_index=0))
    assert out['frame_inds'].tolist() == [6, 8, 10, 12]
    assert (out['clip_len'], out['frame_interval'], out['num_clips']) == (4, 2,
                                                                          1)
    out = frames(dict(probe_speed=4, total_frames=10, start_index=0))
    assert out['frame_inds'].tolist() == [0, 4, 8, 2]


def test_speed_probe_dataset_items(tiny_synthetic):
    with DefaultScope.overwrite_default_scope('mmaction'):
        dataset = build_probe(tiny_synthetic)
    assert len(dataset) == 6
    items = [dataset[i] for i in range(6)]
    assert [it['label'] for it in items] == [0, 1, 2, 0, 1, 2]
    assert [it['frame_interval'] for it in items] == [1, 2, 4, 1, 2, 4]
    assert items[0]['filename'] == items[2]['filename'] != items[3]['filename']


def build_probe(tiny_synthetic):
    return SpeedProbeDataset(
        dict(
            type='VideoListDataset',
            ann_file=f'{tiny_synthetic}/pretrain.txt',
            data_prefix=dict(video=f'{tiny_synthetic}/videos'),
            pipeline=[
                dict(type='DecordInit'),
                dict(type='SpeedProbeFrames', clip_len=4)
            ],
            test_mode=True),
        speeds=(1, 2, 4),
        num_videos=2)


def test_speed_probe_accuracy_splits_by_video():
    # 4 videos x 2 speeds; the feature is the speed: perfectly separable
    records = [
        dict(feature=torch.tensor([float(s), 1.0]), label=s) for _ in range(4)
        for s in (0, 1)
    ]
    assert speed_probe_accuracy(records, steps=50) == 100.0
    with pytest.raises(ValueError, match='at least two videos'):
        speed_probe_accuracy(records[:2], steps=5)
