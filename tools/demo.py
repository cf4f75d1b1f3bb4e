"""End-to-end demo on the built-in synthetic set (``make demo``).

Makes two synthetic sets (once): a labelled one (320 videos: train and val
lists for the protocols) and an unlabelled pretraining pool of other videos
(2,560, seed 5; pretraining reads its 1,920-video ``pretrain.txt``). Both are
class-scene sets without distractors (``SET_OPTIONS``; docs/synthetic_set.md
says why). It pretrains each requested method on the pool with
``tools/train.py`` (ASCNet:
``configs/ascnet/ascnet_r18-w16_synthetic_vcreg.py``, the others their
``<method>_r18-w16_synthetic.py``), then runs the three downstream protocols
(linear probe, finetune, retrieval:
``configs/<method>/benchmarks/<method>_r18-w16_<protocol>_synthetic.py``) for
the pretrained weights and for random init through the stock
``tools/train.py`` / ``tools/test.py`` paths, and prints one table.
Its last column is the effective rank of the retrieval gallery's features
(``NNRetrievalMetric``): a value near 1 means the features vary along one
direction only (dimensional collapse).

    python tools/demo.py --method ascnet            # make demo
    python tools/demo.py --method ascnet,rspnet,cvrl  # make demo METHOD=all
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from ascnet_mm.utils import METHODS  # noqa: E402
from ascnet_mm.utils import REPO_ROOT as ROOT  # noqa: E402
from ascnet_mm.utils import markdown_table, pretrain_config  # noqa: E402

PRETRAIN_CONFIGS = dict(
    ascnet='configs/ascnet/ascnet_r18-w16_synthetic_vcreg.py',
    **{
        m: osp.relpath(pretrain_config(m, 'r3d18', 'synthetic'), ROOT)
        for m in ('rspnet', 'cvrl')
    })
# A method's protocol configs; they differ from another method's only in the
# default checkpoint, which evaluate() always sets.
PROTOCOL_CONFIG = 'configs/{0}/benchmarks/{0}_r18-w16_{1}_synthetic.py'
# Table rows say what was pretrained: ASCNet's config adds our term.
ROW_NAMES = dict(
    ascnet='ascnet + var-cov (ours)', rspnet='rspnet', cvrl='cvrl')
# Generator settings of both sets, as meta.json records them (a set made with
# other settings is refused, not reused), and as make_synthetic.py flags.
SET_META = dict(
    scene_bias=1.0, background_value=[0.3, 0.45], max_distractors=0)
SET_OPTIONS = [
    arg for key, value in SET_META.items() for arg in [
        '--' + key.replace('_', '-'),
        *map(str, value if isinstance(value, list) else [value])
    ]
]


def run(args, log_path):
    """Run a tool as a subprocess, its output to ``log_path``; fail loudly."""
    os.makedirs(osp.dirname(log_path), exist_ok=True)
    cmd = [sys.executable] + args
    print('  $ ' + ' '.join(args), flush=True)
    start = time.time()
    with open(log_path, 'w') as log:
        code = subprocess.call(
            cmd,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
    if code != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-30:])
        raise SystemExit(f'{args[0]} failed (exit {code}); log: {log_path}\n'
                         f'{tail}')
    return time.time() - start


def last_scalar(work_dir, key):
    """The last logged value of ``key`` in a run's
    ``vis_data/scalars.json``."""
    value = None
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if key in record:
                    value = record[key]
    if value is None:
        raise SystemExit(f'no "{key}" logged under {work_dir}')
    return value


def make_set(path, videos, seed, log_path):
    """Make a synthetic set at ``path`` unless the same one is there."""
    meta_path = osp.join(ROOT, path, 'meta.json')
    want = dict(SET_META, num_videos=videos, seed=seed)
    if osp.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        have = {k: meta.get(k) for k in want}
        if have != want:
            raise SystemExit(
                f'{meta_path}: this synthetic set was made with {have}, the '
                f'demo needs {want}; remove {path} (it is remade) or pass '
                'another --data / --pool')
        return
    run([
        'tools/data/make_synthetic.py', '--out', path, '--videos',
        str(videos), '--seed',
        str(seed)
    ] + SET_OPTIONS, log_path)


def random_init_checkpoint(config, path, seed=0):
    """Save the untrained network of ``config`` (the random-init baseline)."""
    if osp.exists(path):
        return path
    from mmaction.registry import MODELS
    from mmengine import Config
    from mmengine.logging import MMLogger
    from mmengine.registry import DefaultScope
    from mmengine.runner import save_checkpoint, set_random_seed

    import ascnet_mm  # noqa: F401
    MMLogger.get_instance('demo', log_level='WARNING')  # no init-weights log
    set_random_seed(seed)
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    os.makedirs(osp.dirname(path), exist_ok=True)
    save_checkpoint({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def evaluate(name, ckpt, out, data, method='ascnet'):
    """Linear probe, finetune and retrieval of one initialisation, with the
    protocol configs of ``method``."""
    data_opts = [
        f'train_dataloader.dataset.data_prefix.video={data}/videos',
        f'train_dataloader.dataset.ann_file={data}/train.txt',
        f'val_dataloader.dataset.data_prefix.video={data}/videos',
        f'val_dataloader.dataset.ann_file={data}/val.txt',
        f'test_dataloader.dataset.data_prefix.video={data}/videos',
        f'test_dataloader.dataset.ann_file={data}/val.txt',
    ]
    row = {}
    for protocol, short in (('linear_probe', 'linear'), ('finetune',
                                                         'finetune')):
        work = osp.join(out, name, protocol)
        run([
            'tools/train.py',
            PROTOCOL_CONFIG.format(method, short), '--work-dir', work,
            '--cfg-options', f'model.backbone.init_cfg.checkpoint={ckpt}'
        ] + data_opts, osp.join(work, 'run.log'))
        row[protocol] = last_scalar(work, 'acc/top1') * 100
    work = osp.join(out, name, 'retrieval')
    run([
        'tools/test.py',
        PROTOCOL_CONFIG.format(
            method, 'retrieval'), ckpt, '--work-dir', work, '--cfg-options',
        f'test_dataloader.dataset.data_prefix.video={data}/videos',
        f'test_dataloader.dataset.ann_file={data}/val.txt',
        f'test_cfg.gallery_dataloader.dataset.data_prefix.video={data}/videos',
        f'test_cfg.gallery_dataloader.dataset.ann_file={data}/train.txt'
    ], osp.join(work, 'run.log'))
    with open(osp.join(work, 'retrieval.json')) as f:
        dump = json.load(f)
    row['top1'], row['top5'] = dump['topk']['top1'], dump['topk']['top5']
    row['rank'] = dump['gallery_spectrum']['effective_rank']
    return row


def format_table(rows):
    headers = ('init', 'linear top-1', 'finetune top-1', 'retrieval top-1',
               'retrieval top-5', 'feature rank')
    keys = ('linear_probe', 'finetune', 'top1', 'top5', 'rank')
    return markdown_table(
        headers,
        [[name] + [f'{r[k]:.1f}' for k in keys] for name, r in rows.items()],
        align='l' + 'r' * len(keys))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--method',
        default='ascnet',
        help="comma-separated of ascnet,rspnet,cvrl or 'all'")
    parser.add_argument(
        '--data',
        default='data/synthetic',
        help='labelled set (train / val lists)')
    parser.add_argument('--videos', type=int, default=320)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--pool',
        default='data/synthetic_pool',
        help='unlabelled pretraining set (its pretrain.txt)')
    parser.add_argument('--pool-videos', type=int, default=2560)
    parser.add_argument('--pool-seed', type=int, default=5)
    parser.add_argument('--out', default='work_dirs/demo')
    parser.add_argument(
        '--epochs',
        type=int,
        default=None,
        help='pretraining epochs (default: the config\'s)')
    args = parser.parse_args()
    methods = METHODS if args.method == 'all' else tuple(
        args.method.split(','))
    for m in methods:
        if m not in METHODS:
            parser.error(f'unknown method {m!r}: choose from {METHODS}')

    start = time.time()
    if args.pool_seed == args.seed:
        parser.error('--pool-seed must differ from --seed: the pool must not '
                     'hold the evaluation videos')
    print(f'[1] synthetic sets -> {args.data}, {args.pool}', flush=True)
    make_set(args.data, args.videos, args.seed,
             osp.join(ROOT, args.out, 'make_synthetic.log'))
    make_set(args.pool, args.pool_videos, args.pool_seed,
             osp.join(ROOT, args.out, 'make_synthetic_pool.log'))

    rows = {}
    print('[2] random init: linear probe, finetune, retrieval', flush=True)
    ckpt = random_init_checkpoint(
        pretrain_config('ascnet', 'r3d18', 'synthetic'),
        osp.join(ROOT, args.out, 'random_init.pth'), args.seed)
    rows['random init'] = evaluate('random_init', ckpt, args.out, args.data)
    for method in methods:
        work = osp.join(args.out, method, 'pretrain')
        print(f'[3] {method}: pretrain, then evaluate', flush=True)
        extra = [] if args.epochs is None else [
            '--cfg-options', f'train_cfg.max_epochs={args.epochs}',
            f'param_scheduler.0.T_max={args.epochs}',
            f'param_scheduler.0.end={args.epochs}',
            f'default_hooks.checkpoint.interval={args.epochs}'
        ]
        # online evaluation (every 5 epochs): kNN of the labelled set
        data_opts = [
            f'train_dataloader.dataset.data_prefix.video={args.pool}/videos',
            f'train_dataloader.dataset.ann_file={args.pool}/pretrain.txt',
            f'val_dataloader.dataset.data_prefix.video={args.data}/videos',
            f'val_dataloader.dataset.ann_file={args.data}/val.txt',
            'val_cfg.memory_dataloader.dataset.data_prefix.video='
            f'{args.data}/videos',
            f'val_cfg.memory_dataloader.dataset.ann_file={args.data}/train.txt'
        ]
        opts = (extra + data_opts if extra else ['--cfg-options'] + data_opts)
        run(['tools/train.py', PRETRAIN_CONFIGS[method], '--work-dir', work] +
            opts, osp.join(work, 'run.log'))
        with open(osp.join(ROOT, work, 'last_checkpoint')) as f:
            ckpt = f.read().strip()
        rows[ROW_NAMES[method]] = evaluate(method, ckpt, args.out, args.data,
                                           method)

    table = format_table(rows)
    with open(osp.join(ROOT, args.out, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print(f'\nSynthetic benchmark ({time.time() - start:.0f} s, '
          f'{args.out}/results.md):\n{table}')


if __name__ == '__main__':
    main()
