"""Extract one feature per video with a checkpoint and save them to ``.npz``.

Example::

    python tools/analysis/extract_features.py CONFIG CHECKPOINT \
        --split test --out work_dirs/feats_test.npz
    tools/dist_extract_features.sh CONFIG CHECKPOINT 8 \
        --split test --out work_dirs/feats_test.npz

The model runs in predict mode (``model.test_step``); each data sample's
``feature`` (C,) (``pred_score`` for stock recognizers) is saved with the
label and file name of its dataset entry: ``features (N, C) float32``,
``labels (N,) int64`` (-1 unlabelled), ``filenames (N,) str``, one row per
video in dataset order, every video included (no ``drop_last``). With
``--launcher pytorch`` each process extracts its share (MMEngine's
``DefaultSampler``), rank 0 gathers them, drops the sampler's padding and
writes the same file as one process would. ``--split train`` uses
``test_cfg.gallery_dataloader`` (train videos with the test pipeline) when
the config has one.

The checkpoint must hold every tensor of the model's backbone, with its
shape (``backbone.*`` keys; others, such as a pretraining checkpoint's EMA
target, are ignored); otherwise the tool stops before extracting anything.
``--allow-partial`` loads only the tensors that fit, with a warning.
"""
import argparse
import copy
import os
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dist import collect_results, is_main_process
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.utils import ProgressBar

import ascnet_mm  # noqa: F401  registers the plugin before mmaction.models
from ascnet_mm.checkpoint import check_backbone_checkpoint
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
        '--allow-partial',
        action='store_true',
        help='load a checkpoint that lacks some backbone tensors or has '
        'them in other shapes (only a warning; the rest stays random)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (tools/dist_extract_features.sh: pytorch)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def dataloader_cfg(cfg: Config, split: str) -> dict:
    """The dataloader config of ``split``: ordered, every video kept."""
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
    loader['drop_last'] = False
    return loader


def dataset_record(dataset, index: int) -> tuple:
    """``(filename, label)`` of a dataset entry (label -1 when unknown)."""
    info = dataset.get_data_info(index)
    label = info.get('label')
    label = -1 if label is None else int(np.asarray(label).reshape(-1)[0])
    return info.get('filename') or '', label


@torch.no_grad()
def extract(model, dataloader) -> dict:
    """``features (N, C)``, ``labels (N,)``, ``filenames (N,)`` of a loader's
    dataset, in dataset order; on every rank but 0 of a distributed run,
    None."""
    model.eval()
    dataset = dataloader.dataset
    feats = []
    bar = ProgressBar(len(dataset)) if is_main_process() else None
    for data_batch in dataloader:
        for sample in model.test_step(data_batch):
            feats.append(sample_record(sample)['feature'])
            if bar is not None:
                bar.update()
    # rank r held rows r, r + world, ...: gathered back in order, padding
    # (the sampler's round-up) dropped
    feats = collect_results(feats, len(dataset), device='cpu')
    if feats is None:
        return None
    names, labels = zip(*(dataset_record(dataset, i)
                          for i in range(len(dataset))))
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
    cfg.launcher = args.launcher
    cfg.load_from = None
    runner = Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    if hasattr(model, 'backbone'):
        check_backbone_checkpoint(
            args.checkpoint,
            model.backbone,
            allow_partial=args.allow_partial,
            how_to_allow='--allow-partial')
    runner.load_checkpoint(args.checkpoint, map_location='cpu')
    loader = runner.build_dataloader(
        dataloader_cfg(cfg, args.split), seed=runner.seed)
    out = extract(runner.model, loader)
    if out is None:
        return None
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    np.savez(args.out, **out)
    print_log(
        f'saved {out["features"].shape} {args.split} features to {args.out}',
        logger='current')
    return out


if __name__ == '__main__':
    main()
