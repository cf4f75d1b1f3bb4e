"""End-to-end demo on the built-in synthetic set (``make demo``).

Makes two class-scene synthetic sets without distractors (once;
``ascnet_mm/utils/demo_sets.py``, docs/synthetic_set.md says why): a labelled
one (320 videos, train/val lists for the protocols) and an unlabelled pool
of 2,560 other videos (seed 5) whose 1,920-video ``pretrain.txt``
pretraining reads.
Pretrains each method on the pool (``PRETRAIN_CONFIGS``; online kNN and
spectrum on the labelled set), then runs the linear probe, finetune and
retrieval protocols (``demo_protocols.py``) for its weights and for random init
through the stock ``tools/train.py`` / ``tools/test.py``, and prints one
table (last column: the retrieval gallery's effective rank; near 1 means
dimensional collapse) and writes ``curves.png`` (online kNN top-1 and
effective rank over pretraining). Stages that do not depend on each other
run side by side, ``--jobs`` at a time (``demo_stages.py``). ``--budget
quick`` (``make demo``) shortens pretraining and finetuning (``BUDGETS``);
``--budget full`` (``make demo-full``) runs the configs' schedules. Each
stage prints a progress line at least every 30 s; the full output goes to
its log file.

    python tools/demo.py --method ascnet              # make demo
    python tools/demo.py --method all --budget full   # demo-full METHOD=all
"""
import argparse
import os.path as osp
import sys
import threading
import time
from functools import partial

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from ascnet_mm.engine.checkpoint_io import \
    read_last_checkpoint  # noqa: E402,E501
from ascnet_mm.utils import METHODS  # noqa: E402
from ascnet_mm.utils import demo_plot  # noqa: E402
from ascnet_mm.utils import demo_progress  # noqa: E402
from ascnet_mm.utils import list_options  # noqa: E402
from ascnet_mm.utils import markdown_table  # noqa: E402
from ascnet_mm.utils import pretrain_config  # noqa: E402
from ascnet_mm.utils import random_init_checkpoint  # noqa: E402
from ascnet_mm.utils import schedule_options  # noqa: E402
from ascnet_mm.utils import REPO_ROOT as ROOT  # noqa: E402
from ascnet_mm.utils.demo_protocols import LOG_EVERY  # noqa: E402
from ascnet_mm.utils.demo_protocols import protocol_stages  # noqa: E402
from ascnet_mm.utils.demo_sets import make_set  # noqa: E402
from ascnet_mm.utils.demo_stages import run_stages  # noqa: E402
from ascnet_mm.utils.machine import cpu_summary  # noqa: E402
from ascnet_mm.utils.machine import usable_cpus  # noqa: E402

PRETRAIN_CONFIGS = dict(
    ascnet='configs/ascnet/ascnet_r18-w16_synthetic_vcreg.py',
    **{
        m: osp.relpath(pretrain_config(m, 'r3d18', 'synthetic'), ROOT)
        for m in ('rspnet', 'cvrl')
    })
# Table rows say what was pretrained: ASCNet's config adds our term.
ROW_NAMES = dict(
    random_init='random init',
    ascnet='ascnet + var-cov (ours)', rspnet='rspnet', cvrl='cvrl')
# What a budget changes: pretraining epochs on the pool (120 iterations
# each), finetune epochs (15 iterations each) and the online evaluation's
# interval in epochs; None keeps the config's. Both log every 5 iterations.
BUDGETS = dict(
    quick=dict(pretrain_epochs=8, finetune_epochs=40, online_interval=2),
    full=dict(
        pretrain_epochs=None, finetune_epochs=None, online_interval=None))
# Compute threads of every child (the trainer; its loader workers run one
# torch thread each): docs/synthetic_set.md has the profile behind it.
THREADS = 1
# Set at a stage's failure: the running stages end their children.
STOP = threading.Event()


def run(args, log_path, label, extra=None):
    """Run a tool as a subprocess, its output to ``log_path`` and its
    progress to the console (:class:`ProgressPrinter`); fail loudly."""
    if STOP.is_set():
        raise SystemExit(f'[{label}] not started: another stage failed')
    print('  $ ' + ' '.join(args), flush=True)
    start = time.time()
    code = demo_progress.run_with_progress(
        [sys.executable] + args,
        log_path,
        demo_progress.ProgressPrinter(label, extra=extra),
        echo=lambda line: print('    ' + line, flush=True),
        stop=STOP,
        cwd=ROOT,
        env=demo_progress.child_env(THREADS))
    if code != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-30:])
        raise SystemExit(f'[{label}] {args[0]} failed (exit {code}); log: '
                         f'{log_path}\n{tail}')
    print(f'    [{label}] done in {time.time() - start:.0f} s', flush=True)


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
    set); return its last checkpoint."""
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
    ckpt = read_last_checkpoint(osp.join(ROOT, work))
    if ckpt is None:
        raise SystemExit(f'[{method} pretrain] finished without a '
                         f'checkpoint: no {work}/last_checkpoint')
    return ckpt


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
    parser.add_argument(
        '--jobs',
        type=int,
        default=usable_cpus(),
        help='stages run at once, each on --threads threads (default: the '
        'CPUs this process may use, %(default)s)')
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

    print('[2] random init, then each method: pretrain, then linear probe, '
          f'finetune and retrieval ({args.jobs} stages at a time)',
          flush=True)
    ckpt = random_init_checkpoint(
        pretrain_config('ascnet', 'r3d18', 'synthetic'),
        osp.join(ROOT, args.out, 'random_init.pth'), args.seed)
    protocols = partial(protocol_stages, run, out=args.out, data=args.data,
                        finetune_epochs=budget['finetune_epochs'])
    # First in order, first to start: the first pretraining, random init's
    # protocols beside it, then each method's protocols before the next
    # method's pretraining.
    stages = {}
    for i, method in enumerate(methods):
        stages[(method, 'pretrain')] = (partial(pretrain, method, args,
                                                budget), ())
        if i == 0:
            stages.update({('random_init', p): (partial(fn, ckpt), ())
                           for p, fn in protocols('random_init').items()})
        stages.update({(method, p): (fn, [(method, 'pretrain')])
                       for p, fn in protocols(method, method=method).items()})
    results = run_stages(stages, args.jobs, STOP)

    # A row per init, random init first; its protocols' parts joined.
    rows = {ROW_NAMES[name]: {} for name in ('random_init', ) + methods}
    for (name, protocol), result in results.items():
        if protocol != 'pretrain':
            rows[ROW_NAMES[name]].update(result)
    curves = {
        m: demo_plot.online_curves(osp.join(ROOT, args.out, m, 'pretrain'))
        for m in methods
    }
    table = format_table(rows)
    elapsed = (f'{time.time() - start:.0f} s on {cpu_summary()}, '
               f'{args.jobs} stages at a time')
    with open(osp.join(ROOT, args.out, 'results.md'), 'w') as f:
        f.write(f'{args.budget} budget, {elapsed}\n\n{table}\n')
    random = rows[ROW_NAMES['random_init']]
    plot = demo_plot.plot_curves(curves,
                                 osp.join(ROOT, args.out, 'curves.png'), {
                                     'knn/top1': random['top1'],
                                     'spectrum/effective_rank': random['rank']
                                 }, 'random init (retrieval)')
    print(f'\nSynthetic benchmark, {args.budget} budget ({elapsed}; '
          f'{args.out}/results.md, {plot}):\n{table}')


if __name__ == '__main__':
    main()
