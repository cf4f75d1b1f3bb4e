"""End-to-end demo on the built-in synthetic set (``make demo``).

Makes two class-scene synthetic sets without distractors (once;
``ascnet_mm/utils/demo_sets.py``, docs/synthetic_set.md says why): a labelled
one (320 videos, train/val lists for the protocols) and an unlabelled pool
of 2,560 other videos (seed 5) whose 1,920-video ``pretrain.txt``
pretraining reads.
Pretrains each method on the pool (``PRETRAIN_CONFIGS``; online kNN and
spectrum on the labelled set), then runs the linear probe, finetune and
retrieval protocols (``PROTOCOL_CONFIG``) for its weights and for random init
through the stock ``tools/train.py`` / ``tools/test.py``, and prints one
table (last column: the retrieval gallery's effective rank; near 1 means
dimensional collapse) and writes ``curves.png`` (online kNN top-1 and
effective rank over pretraining). ``--budget quick`` (``make demo``)
shortens pretraining and finetuning (``BUDGETS``); ``--budget full`` (``make
demo-full``) runs the configs' schedules. Each stage prints a progress line
at least every 30 s; the full output goes to its log file.

    python tools/demo.py --method ascnet              # make demo
    python tools/demo.py --method all --budget full   # demo-full METHOD=all
"""
import argparse
import json
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from ascnet_mm.utils import METHODS  # noqa: E402
from ascnet_mm.utils import demo_plot  # noqa: E402
from ascnet_mm.utils import demo_progress  # noqa: E402
from ascnet_mm.utils import list_options  # noqa: E402
from ascnet_mm.utils import schedule_options  # noqa: E402
from ascnet_mm.utils import REPO_ROOT as ROOT  # noqa: E402
from ascnet_mm.utils import (last_scalar, markdown_table,  # noqa: E402
                             pretrain_config, random_init_checkpoint)
from ascnet_mm.utils.demo_sets import make_set  # noqa: E402

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
# What a budget changes: pretraining epochs on the pool (120 iterations
# each), finetune epochs (15 iterations each) and the online evaluation's
# interval in epochs; None keeps the config's. Both log every 5 iterations.
BUDGETS = dict(
    quick=dict(pretrain_epochs=8, finetune_epochs=40, online_interval=2),
    full=dict(
        pretrain_epochs=None, finetune_epochs=None, online_interval=None))
LOG_EVERY = ['default_hooks.logger.interval=5']
# Compute threads of every child (the trainer; its loader workers run one
# torch thread each): docs/synthetic_set.md has the profile behind it.
THREADS = 1


def run(args, log_path, label, extra=None):
    """Run a tool as a subprocess, its output to ``log_path`` and its
    progress to the console (:class:`ProgressPrinter`); fail loudly."""
    print('  $ ' + ' '.join(args), flush=True)
    start = time.time()
    code = demo_progress.run_with_progress(
        [sys.executable] + args,
        log_path,
        demo_progress.ProgressPrinter(label, extra=extra),
        echo=lambda line: print('    ' + line, flush=True),
        cwd=ROOT,
        env=demo_progress.child_env(THREADS))
    if code != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-30:])
        raise SystemExit(f'{args[0]} failed (exit {code}); log: {log_path}\n'
                         f'{tail}')
    print(f'    [{label}] done in {time.time() - start:.0f} s', flush=True)


def evaluate(name, ckpt, out, data, budget, method='ascnet'):
    """Linear probe, finetune and retrieval of one initialisation, with the
    protocol configs of ``method``."""
    data_opts = (
        list_options('train_dataloader', data, 'train.txt') +
        list_options('val_dataloader', data, 'val.txt') +
        list_options('test_dataloader', data, 'val.txt') + LOG_EVERY)
    row = {}
    for protocol, short, epochs in (('linear_probe', 'linear', None),
                                    ('finetune', 'finetune',
                                     budget['finetune_epochs'])):
        work = osp.join(out, name, protocol)
        run([
            'tools/train.py',
            PROTOCOL_CONFIG.format(method, short), '--work-dir', work,
            '--cfg-options', f'model.backbone.init_cfg.checkpoint={ckpt}'
        ] + data_opts + schedule_options(epochs), osp.join(work, 'run.log'),
            f'{name} {short}')
        row[protocol] = last_scalar(work, 'acc/top1') * 100
    work = osp.join(out, name, 'retrieval')
    run([
        'tools/test.py',
        PROTOCOL_CONFIG.format(method, 'retrieval'), ckpt, '--work-dir', work,
        '--cfg-options'
    ] + list_options('test_dataloader', data, 'val.txt') +
        list_options('test_cfg.gallery_dataloader', data, 'train.txt') +
        LOG_EVERY, osp.join(work, 'run.log'), f'{name} retrieval')
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


def pretrain(method, args, budget):
    """Pretrain ``method`` on the pool (online evaluation on the labelled
    set); return its work dir and last checkpoint."""
    work = osp.join(args.out, method, 'pretrain')
    epochs = args.epochs or budget['pretrain_epochs']
    # online evaluation: kNN of the labelled set
    data_opts = (
        list_options('train_dataloader', args.pool, 'pretrain.txt') +
        list_options('val_dataloader', args.data, 'val.txt') +
        list_options('val_cfg.memory_dataloader', args.data, 'train.txt'))
    run([
        'tools/train.py', PRETRAIN_CONFIGS[method], '--work-dir', work,
        '--cfg-options'
    ] + data_opts + LOG_EVERY +
        schedule_options(epochs, budget['online_interval']),
        osp.join(work, 'run.log'), f'{method} pretrain')
    with open(osp.join(ROOT, work, 'last_checkpoint')) as f:
        return work, f.read().strip()


def main():
    global THREADS
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--method',
        default='ascnet',
        help="comma-separated of ascnet,rspnet,cvrl or 'all'")
    parser.add_argument('--budget', choices=tuple(BUDGETS), default='quick')
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
        help='pretraining epochs (default: the budget\'s)')
    parser.add_argument(
        '--threads',
        type=int,
        default=THREADS,
        help='compute threads of each child tool (default: %(default)s)')
    args = parser.parse_args()
    THREADS = args.threads
    budget = BUDGETS[args.budget]
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
    for path, videos, seed in ((args.data, args.videos, args.seed),
                               (args.pool, args.pool_videos, args.pool_seed)):
        log = osp.join(ROOT, args.out, f'{osp.basename(path)}.log')
        make_set(path, videos, seed, log, run, ROOT)

    rows, curves = {}, {}
    print('[2] random init: linear probe, finetune, retrieval', flush=True)
    ckpt = random_init_checkpoint(
        pretrain_config('ascnet', 'r3d18', 'synthetic'),
        osp.join(ROOT, args.out, 'random_init.pth'), args.seed)
    rows['random init'] = evaluate('random_init', ckpt, args.out, args.data,
                                   budget)
    for method in methods:
        print(f'[3] {method}: pretrain, then evaluate', flush=True)
        work, ckpt = pretrain(method, args, budget)
        curves[method] = demo_plot.online_curves(osp.join(ROOT, work))
        rows[ROW_NAMES[method]] = evaluate(method, ckpt, args.out, args.data,
                                           budget, method)

    table = format_table(rows)
    with open(osp.join(ROOT, args.out, 'results.md'), 'w') as f:
        f.write(table + '\n')
    random = rows['random init']
    plot = demo_plot.plot_curves(curves,
                                 osp.join(ROOT, args.out, 'curves.png'), {
                                     'knn/top1': random['top1'],
                                     'spectrum/effective_rank': random['rank']
                                 }, 'random init (retrieval)')
    print(f'\nSynthetic benchmark, {args.budget} budget '
          f'({time.time() - start:.0f} s, {args.out}/results.md, {plot}):'
          f'\n{table}')


if __name__ == '__main__':
    main()
