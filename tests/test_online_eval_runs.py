"""Online evaluation in real pretraining runs through the stock tools:
metrics in vis_data/scalars.json at the configured interval, save_best,
DDP (padding dropped), and the collapse alarm on a collapsed run and a
healthy one."""
import glob
import json
import os.path as osp

import pytest
from helpers import dist_train, run_tool
from mmaction.registry import MODELS
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from ascnet_mm.engine.hooks import FeatureCollapseError
from ascnet_mm.models.selfsup.base import BaseVideoSSL
from ascnet_mm.synthetic import generate

# Runs training subprocesses.
pytestmark = pytest.mark.slow

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
VCREG = 'configs/ascnet/ascnet_r18-w16_synthetic_vcreg.py'
METRICS = ('knn/top1', 'knn/top5', 'spectrum/effective_rank',
           'spectrum/rankme', 'spectrum/top1_share', 'spectrum/feature_std')


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """24 videos: 14 labelled train (memory), 10 val (queries)."""
    out = str(tmp_path_factory.mktemp('online'))
    generate(out, 24, seed=0, size=32, workers=1)
    return out


def options(data, epochs, interval, memory='train.txt'):
    """Train on ``pretrain.txt`` and validate every ``interval`` epochs."""
    return [
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}/videos',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_begin={interval}',
        f'train_cfg.val_interval={interval}',
        f'val_dataloader.dataset.ann_file={data}/val.txt',
        f'val_dataloader.dataset.data_prefix.video={data}/videos',
        'val_dataloader.num_workers=0', 'val_dataloader.batch_size=4',
        f'val_cfg.memory_dataloader.dataset.ann_file={data}/{memory}',
        f'val_cfg.memory_dataloader.dataset.data_prefix.video={data}/videos',
        'val_cfg.memory_dataloader.num_workers=0',
        'val_cfg.memory_dataloader.batch_size=4', 'model.bank_size=16'
    ]


def train(config, work, opts):
    return run_tool('tools/train.py', config, '--work-dir', work, options=opts)


def scalars(work):
    (path, ) = glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_stock_train_logs_online_metrics_at_the_interval(data, tmp_path):
    work = str(tmp_path / 'work')
    train(
        ASCNET, work,
        options(data, 4, 2) + ['default_hooks.checkpoint.save_best=knn/top1'])
    rows = [r for r in scalars(work) if 'knn/top1' in r]
    assert [r['step'] for r in rows] == [2, 4]
    for row in rows:
        assert set(METRICS) <= set(row)
        assert 0 <= row['knn/top1'] <= row['knn/top5'] <= 100
        assert 0 < row['spectrum/top1_share'] <= 1
    assert glob.glob(osp.join(work, 'best_knn_top1_epoch_*.pth'))


def test_ddp_online_eval_drops_padding(data, tmp_path):
    """Two ranks, 7 memory and 10 queries: each rank's sampler pads the
    memory to 8; the metric sees 7."""
    with open(osp.join(data, 'train.txt')) as f:
        lines = f.read().splitlines()[:7]
    with open(osp.join(data, 'memory7.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    log = dist_train(
        ASCNET,
        2,
        str(tmp_path / 'work'),
        options=options(data, 1, 1, memory='memory7.txt'))
    assert 'online evaluation: 10 queries, 7 memory videos' in log
    assert 'knn/top1' in log


@MODELS.register_module(force=True)
class ConstantFeatures(BaseVideoSSL):
    """Collapsed by construction: every clip's feature is the same."""

    def extract_feat(self, inputs, backbone=None):
        feats = super().extract_feat(inputs, backbone)
        return feats * 0 + 1

    def loss(self, inputs, data_samples):
        return dict(
            loss=self.extract_feat(inputs).sum() * 0 +
            sum(p.sum() for p in self.parameters()) * 0)


def alarm_stops(config):
    """The ``--cfg-options`` item that makes ``config``'s
    CollapseAlarmHook stop the run."""
    hooks = Config.fromfile(osp.join(ROOT, config)).custom_hooks
    (index, ) = [
        i for i, h in enumerate(hooks) if h['type'] == 'CollapseAlarmHook'
    ]
    return f'custom_hooks.{index}.stop=True'


def test_alarm_stops_a_collapsed_run(data, tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, ASCNET))
    for opt in options(data, 1, 1) + [alarm_stops(ASCNET)]:
        key, value = opt.split('=', 1)
        cfg.merge_from_dict({key: DictAction._parse_iterable(value)})
    cfg.model = dict(
        type='ConstantFeatures',
        backbone=cfg.model.backbone,
        data_preprocessor=cfg.model.data_preprocessor)
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(
            FeatureCollapseError,
            match=r'feature collapse at epoch 1, iteration 3: '
            r'spectrum/feature_std 0 is below 0.01 \(first 0;'):
        runner.train()


def test_alarm_quiet_on_the_demo_recipe(data, tmp_path):
    """The demo recipe (ASCNet + variance-covariance), 10 epochs of 3
    iterations, measured every 2 epochs."""
    log = train(VCREG, str(tmp_path / 'work'),
                options(data, 10, 2) + [alarm_stops(VCREG)])
    assert log.count('online evaluation: 10 queries, 14 memory') == 5
    assert 'feature collapse' not in log


def test_speed_probe_logs_its_accuracy(data, tmp_path):
    """The switch of online_eval_synthetic.py, on 6 videos x 3 speeds."""
    config = tmp_path / 'probe.py'
    config.write_text(
        f"_base_ = '{osp.join(ROOT, ASCNET)}'\n"
        'val_cfg = dict(probe_dataloader=_base_.speed_probe_dataloader)\n')
    work = str(tmp_path / 'work')
    probe = 'val_cfg.probe_dataloader'
    train(
        str(config), work,
        options(data, 1, 1) + [
            f'{probe}.num_workers=0', f'{probe}.batch_size=6',
            f'{probe}.dataset.dataset.ann_file={data}/pretrain.txt',
            f'{probe}.dataset.dataset.data_prefix.video={data}/videos',
            f'{probe}.dataset.num_videos=6'
        ])
    (row, ) = [r for r in scalars(work) if 'knn/top1' in r]
    assert 0 <= row['speed_probe/acc'] <= 100
