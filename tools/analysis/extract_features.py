"""Extract one feature per video with a checkpoint and save them to ``.npz``.

Example::

    python tools/analysis/extract_features.py CONFIG CHECKPOINT \
        --split test --out work_dirs/feats_test.npz

The model runs in predict mode (``model.test_step``); each data sample's
``feature`` (C,) (``pred_score`` for stock recognizers) is saved with its
label and filename: ``features (N, C) float32``, ``labels (N,) int64``,
``filenames (N,) str``. ``--split train`` uses ``test_cfg.gallery_dataloader``
(train videos with the test pipeline) when the config has one.
"""
import argparse
import copy
import os
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmengine.utils import ProgressBar

import ascnet_mm  # noqa: F401  registers the plugin before mmaction.models
from ascnet_mm.evaluation.metrics.retrieval_metric import sample_record


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Extract per-video features with a checkpoint')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--split',
        choices=['train', 'val', 'test'],
        default='test',
        help='which dataloader of the config to run')
    parser.add_argument('--out', required=True, help='output .npz file')
    parser.add_argument('--work-dir', help='the runner work dir (logs)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs')
    return parser.parse_args(argv)


def dataloader_cfg(cfg: Config, split: str) -> dict:
    """The dataloader config of ``split``, with an ordered sampler."""
    if split == 'train' and cfg.get('test_cfg') and \
            cfg.test_cfg.get('gallery_dataloader'):
        loader = cfg.test_cfg.gallery_dataloader
    else:
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            raise ValueError(f'the config has no {split}_dataloader')
        if split == 'train':
            print_log(
                'no test_cfg.gallery_dataloader: using train_dataloader '
                'with its training pipeline',
                logger='current')
    loader = copy.deepcopy(loader)
    loader['sampler'] = dict(type='DefaultSampler', shuffle=False)
    return loader


@torch.no_grad()
def extract(model, dataloader) -> dict:
    """``features (N, C)``, ``labels (N,)``, ``filenames (N,)`` of a loader."""
    model.eval()
    feats, labels, names = [], [], []
    bar = ProgressBar(len(dataloader.dataset))
    for data_batch in dataloader:
        for sample in model.test_step(data_batch):
            record = sample_record(sample)
            feats.append(record['feature'])
            labels.append(record['label'])
            names.append(record['filename'] or '')
            bar.update()
    return dict(
        features=torch.stack(feats).numpy().astype(np.float32),
        labels=np.asarray(labels, dtype=np.int64),
        filenames=np.asarray(names, dtype=str))


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = 'none'
    cfg.load_from = None
    runner = Runner.from_cfg(cfg)
    runner.load_checkpoint(args.checkpoint, map_location='cpu')
    loader = runner.build_dataloader(
        dataloader_cfg(cfg, args.split), seed=runner.seed)
    out = extract(runner.model, loader)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    np.savez(args.out, **out)
    print_log(
        f'saved {out["features"].shape} {args.split} features to {args.out}',
        logger='current')
    return out


if __name__ == '__main__':
    main()
