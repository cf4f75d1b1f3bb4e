"""``extract_features.py``: every video of a split in dataset order with its
file name and label, from one process or from several
(``tools/dist_extract_features.sh``)."""
import os.path as osp

import numpy as np
import pytest
import torch
from helpers import dist_tool, load_tool
from mmaction.registry import MODELS
from mmengine import Config
from mmengine.registry import DefaultScope

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
RETRIEVAL = 'configs/ascnet/benchmarks/ascnet_r18-w16_retrieval_synthetic.py'


def random_checkpoint(config, path):
    """Save the freshly built model of ``config`` (seeded) as a checkpoint."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(Config.fromfile(osp.join(ROOT, config)).model)
    torch.save({'state_dict': model.state_dict()}, path)
    return str(path)


def read_paths(ann):
    with open(ann) as f:
        return [ln.split()[0] for ln in f if ln.strip()]


@pytest.mark.slow  # the tool's Runner over the pretraining set
def test_pretraining_train_split_keeps_every_video(tiny_synthetic, tmp_path):
    """The pretraining loader's drop_last and its PackActionInputs without
    filenames used to lose the last partial batch and every name."""
    ckpt = random_checkpoint(ASCNET, tmp_path / 'ascnet.pth')
    ann = f'{tiny_synthetic}/pretrain.txt'
    out = tmp_path / 'feats.npz'
    load_tool('analysis/extract_features').main([
        osp.join(ROOT, ASCNET), ckpt, '--split', 'train', '--out',
        str(out), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options',
        f'train_dataloader.dataset.ann_file={ann}',
        f'train_dataloader.dataset.data_prefix.video={tiny_synthetic}/videos',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0'
    ])
    feats = np.load(out)
    paths = read_paths(ann)
    assert len(paths) % 4  # a last partial batch
    assert feats['features'].shape == (len(paths), 128)
    assert np.isfinite(feats['features']).all()
    assert feats['filenames'].tolist() == [
        osp.join(tiny_synthetic, 'videos', p) for p in paths
    ]
    assert feats['labels'].tolist() == [-1] * len(paths)


def gallery_options(ann, video_dir):
    key = 'test_cfg.gallery_dataloader'
    return [
        f'{key}.dataset.ann_file={ann}',
        f'{key}.dataset.data_prefix.video={video_dir}', f'{key}.batch_size=2',
        f'{key}.num_workers=0'
    ]


@pytest.mark.slow
def test_two_processes_write_what_one_does(tiny_synthetic, tmp_path):
    ckpt = random_checkpoint(RETRIEVAL, tmp_path / 'extractor.pth')
    # 9 videos: rank 1 gets a padded copy of video 0, batches of 2 and 1
    ann = tmp_path / 'train9.txt'
    with open(f'{tiny_synthetic}/train.txt') as f:
        ann.write_text(''.join(f.readlines()[:9]))
    options = gallery_options(ann, f'{tiny_synthetic}/videos')
    one, two = tmp_path / 'one.npz', tmp_path / 'two.npz'
    load_tool('analysis/extract_features').main([
        osp.join(ROOT, RETRIEVAL), ckpt, '--split', 'train', '--out',
        str(one), '--work-dir',
        str(tmp_path / 'work1'), '--cfg-options', *options
    ])
    dist_tool(
        'dist_extract_features.sh', (RETRIEVAL, ckpt, 2),
        str(tmp_path / 'work2'),
        '--split',
        'train',
        '--out',
        str(two),
        options=options)
    a, b = np.load(one), np.load(two)
    assert b['features'].shape == a['features'].shape == (9, 128)
    np.testing.assert_allclose(b['features'], a['features'], atol=1e-5)
    assert b['labels'].tolist() == a['labels'].tolist()
    assert b['filenames'].tolist() == a['filenames'].tolist()
    assert [osp.basename(p) for p in a['filenames']] == read_paths(ann)
