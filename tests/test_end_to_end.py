"""End to end through the stock tools on a tiny synthetic set: pretrain every
method, resume, then linear probe / finetune / retrieval from the
checkpoint."""
import glob
import json
import os.path as osp

import pytest
from helpers import run_tool as run

from ascnet_mm.launch import stock_tool_path
from ascnet_mm.synthetic import generate

# Runs the stock tools end to end in subprocesses.
pytestmark = pytest.mark.slow

ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
# the protocols on the synthetic set, e.g. PROTOCOL.format('ascnet', 'linear')
PROTOCOL = 'configs/{0}/benchmarks/{0}_r18-w16_{1}_synthetic.py'


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic')
    generate(str(out), 20, seed=0, size=32, workers=1)
    return str(out)


def pretrain_options(data, epochs):
    return [
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}/videos',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        f'train_cfg.max_epochs={epochs}', 'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=1'
    ]


def eval_options(data, prefix_keys):
    opts = []
    for key in prefix_keys:
        ann = 'val.txt' if 'test' in key or 'val' in key else 'train.txt'
        opts += [
            f'{key}.dataset.ann_file={data}/{ann}',
            f'{key}.dataset.data_prefix.video={data}/videos',
            f'{key}.num_workers=0'
        ]
    return opts


CLS_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
RETRIEVAL_LOADERS = ('test_dataloader', 'test_cfg.gallery_dataloader')


def retrieval(data, ckpt, work, method='ascnet'):
    run('tools/test.py',
        PROTOCOL.format(method, 'retrieval'),
        ckpt,
        '--work-dir',
        work,
        options=eval_options(data, RETRIEVAL_LOADERS))
    with open(osp.join(work, 'retrieval.json')) as f:
        result = json.load(f)

    def count(name):
        with open(osp.join(data, name)) as f:
            return sum(1 for line in f if line.strip())

    assert result['num_query'] == count('val.txt')
    assert result['num_gallery'] == count('train.txt')
    assert set(result['topk']) >= {'top1', 'top5'}
    # RetrievalVisualizationHook draws through the LocalVisBackend
    assert glob.glob(
        osp.join(work, '*', 'vis_data', 'vis_image', 'retrieval_0.png'))
    return result


def test_ascnet_stock_tool_train_resume_and_protocols(data, tmp_path):
    work = str(tmp_path / 'pretrain')
    log = run(
        stock_tool_path('train.py'),
        ASCNET,
        '--work-dir',
        work,
        options=pretrain_options(data, 2))
    assert 'loss_acp' in log and 'loss_scp' in log
    assert osp.exists(osp.join(work, 'epoch_2.pth'))

    log = run(
        stock_tool_path('train.py'),
        ASCNET,
        '--work-dir',
        work,
        '--resume',
        options=pretrain_options(data, 3))
    assert 'resumed epoch: 2' in log
    assert 'Epoch(train) [3]' in log and 'Epoch(train) [1]' not in log
    ckpt = osp.join(work, 'epoch_3.pth')
    assert osp.exists(ckpt)

    for protocol in ('finetune', 'linear'):
        out = str(tmp_path / protocol)
        log = run(
            'tools/train.py',
            PROTOCOL.format('ascnet', protocol),
            '--work-dir',
            out,
            options=[
                f'model.backbone.init_cfg.checkpoint={ckpt}',
                'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                *eval_options(data, CLS_LOADERS)
            ])
        assert f'load model from: {ckpt}' in log or ckpt in log
        assert 'acc/top1' in log
    retrieval(data, ckpt, str(tmp_path / 'retrieval'))


@pytest.mark.parametrize('method', ['rspnet', 'cvrl'])
def test_other_methods_pretrain_and_retrieve(data, tmp_path, method):
    work = str(tmp_path / 'pretrain')
    options = pretrain_options(data, 1)
    if method == 'rspnet':
        options.append('model.queue_size=8')
    log = run(
        'tools/train.py',
        f'configs/{method}/{method}_r18-w16_synthetic.py',
        '--work-dir',
        work,
        options=options)
    assert ('loss_avid' in log) if method == 'rspnet' else ('loss_nt_xent'
                                                            in log)
    retrieval(data, osp.join(work, 'epoch_1.pth'), str(tmp_path / 'ret'),
              method)
