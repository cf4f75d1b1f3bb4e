"""tools/demo.py: the results table (the runs themselves are `make demo`)."""
import json
import os.path as osp
import sys

import pytest
from helpers import load_tool


def test_format_table_has_every_protocol_and_the_feature_rank():
    demo = load_tool('demo')
    rows = {
        'random init':
        dict(
            linear_probe=21.25,
            finetune=15.0,
            top1=26.25,
            top5=56.25,
            rank=19.34),
        'ascnet':
        dict(
            linear_probe=13.75,
            finetune=12.5,
            top1=18.75,
            top5=50.0,
            rank=2.66),
    }
    assert demo.format_table(rows).splitlines() == [
        '| init | linear top-1 | finetune top-1 | retrieval top-1 | '
        'retrieval top-5 | feature rank |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        '| random init | 21.2 | 15.0 | 26.2 | 56.2 | 19.3 |',
        '| ascnet | 13.8 | 12.5 | 18.8 | 50.0 | 2.7 |',
    ]


def test_make_set_refuses_a_set_made_with_other_settings(tmp_path):
    from ascnet_mm.utils.demo_sets import SET_META, SET_OPTIONS, make_set
    calls = []

    def run(args, log, label, extra):
        calls.append((args, label, extra()))

    make_set('fresh', 320, 0, str(tmp_path / 'log'), run, str(tmp_path))
    assert calls == [([
        'tools/data/make_synthetic.py', '--out', 'fresh', '--videos', '320',
        '--seed', '0'
    ] + SET_OPTIONS, 'fresh', '0/320 videos')]
    # The same settings: kept as it is.
    (tmp_path / 'same').mkdir()
    (tmp_path / 'same' / 'meta.json').write_text(
        json.dumps(dict(SET_META, num_videos=320, seed=0, classes=[])))
    make_set('same', 320, 0, str(tmp_path / 'log'), run, str(tmp_path))
    assert len(calls) == 1
    # An old default set (distractors, any background): refused, by name.
    (tmp_path / 'old').mkdir()
    (tmp_path / 'old' / 'meta.json').write_text(
        json.dumps(
            dict(
                num_videos=320,
                seed=0,
                scene_bias=0.0,
                background_value=[0.15, 0.6])))
    with pytest.raises(SystemExit, match=r'old/meta\.json.*remove old'):
        make_set('old', 320, 0, str(tmp_path / 'log'), run, str(tmp_path))
    assert len(calls) == 1


def test_demo_set_options_are_what_the_generator_records(tmp_path):
    from ascnet_mm.utils.demo_sets import SET_META, SET_OPTIONS
    cli = load_tool('data/make_synthetic')
    out = str(tmp_path / 'set')
    cli.main([
        '--out', out, '--videos', '2', '--size', '16', '--workers', '1',
        '--seed', '3'
    ] + SET_OPTIONS)
    meta = json.load(open(osp.join(out, 'meta.json')))
    assert {k: meta[k] for k in SET_META} == SET_META


def test_last_scalar_reads_the_newest_run_and_names_a_missing_key(tmp_path):
    from ascnet_mm.utils import last_scalar
    for run, values in (('20260101_000000', [0.1, 0.2]), ('20260102_000000',
                                                          [0.3])):
        vis = tmp_path / run / 'vis_data'
        vis.mkdir(parents=True)
        (vis / 'scalars.json').write_text(''.join(
            json.dumps({
                'acc/top1': v,
                'step': i
            }) + '\n' for i, v in enumerate(values)))
    assert last_scalar(str(tmp_path), 'acc/top1') == 0.3
    with pytest.raises(KeyError, match='no "loss" logged'):
        last_scalar(str(tmp_path), 'loss')


def test_run_gives_every_child_the_demos_thread_setting(monkeypatch):
    """The thread setting reaches the children: run() starts each tool with
    child_env(THREADS), whatever the demo's own environment says."""
    demo = load_tool('demo')
    monkeypatch.setenv('OMP_NUM_THREADS', '7')
    seen = {}

    def fake_run(cmd, log_path, printer, echo, stop, cwd, env):
        seen.update(cmd=cmd, env=env, label=printer.label, stop=stop)
        return 0

    monkeypatch.setattr(demo.demo_progress, 'run_with_progress', fake_run)
    demo.run(['tools/train.py', 'x.py'], 'log', 'ascnet pretrain')
    assert seen['cmd'][1:] == ['tools/train.py', 'x.py']
    assert seen['label'] == 'ascnet pretrain'
    for key in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
        assert seen['env'][key] == str(demo.THREADS)
    assert seen['env']['PYTHONUNBUFFERED'] == '1'
    # The demo's stop event: set at a stage's failure, it ends the child,
    # and no stage starts after it.
    assert seen['stop'] is demo.STOP
    demo.STOP.set()
    seen.clear()
    with pytest.raises(SystemExit, match=r'\[ascnet finetune\] not started'):
        demo.run(['tools/train.py', 'y.py'], 'log', 'ascnet finetune')
    assert seen == {}


def test_budgets_shorten_only_the_quick_run():
    from ascnet_mm.utils import schedule_options
    demo = load_tool('demo')
    quick, full = demo.BUDGETS['quick'], demo.BUDGETS['full']
    assert all(value is None for value in full.values())
    epochs = quick['pretrain_epochs']
    assert schedule_options(epochs, quick['online_interval']) == [
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.0.T_max={epochs}',
        f'param_scheduler.0.end={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
        f'train_cfg.val_begin={quick["online_interval"]}',
        f'train_cfg.val_interval={quick["online_interval"]}'
    ]
    assert schedule_options(None) == []


def test_protocol_stages_give_the_budgets_finetune_schedule_and_the_lists(
        tmp_path, monkeypatch):
    from ascnet_mm.utils import demo_protocols
    demo = load_tool('demo')
    calls = {}
    monkeypatch.setattr(demo_protocols, 'last_scalar', lambda work, key: 0.5)
    (tmp_path / 'n' / 'retrieval').mkdir(parents=True)
    (tmp_path / 'n' / 'retrieval' / 'retrieval.json').write_text(
        json.dumps(
            dict(
                topk=dict(top1=40.0, top5=70.0),
                gallery_spectrum=dict(effective_rank=30.0))))
    epochs = demo.BUDGETS['quick']['finetune_epochs']
    stages = demo_protocols.protocol_stages(
        lambda args, log, label: calls.update({label: args}), 'n',
        str(tmp_path), 'D', epochs)
    # finetune, the longest, first: it starts first among ready stages
    assert list(stages) == ['finetune', 'linear_probe', 'retrieval']
    row = {}
    for fn in stages.values():
        row.update(fn('c.pth'))
    assert row == dict(
        linear_probe=50.0, finetune=50.0, top1=40.0, top5=70.0, rank=30.0)
    assert f'train_cfg.max_epochs={epochs}' in calls['n finetune']
    assert not any('max_epochs' in arg for arg in calls['n linear'])
    assert 'model.backbone.init_cfg.checkpoint=c.pth' in calls['n linear']
    assert calls['n retrieval'][2] == 'c.pth'
    assert 'test_cfg.gallery_dataloader.dataset.ann_file=D/train.txt' in \
        calls['n retrieval']
    assert all('default_hooks.logger.interval=5' in args
               for args in calls.values())


def test_main_orders_the_stages_and_joins_each_inits_row(tmp_path,
                                                         monkeypatch):
    """The first pretraining, random init's protocols beside it, then each
    method's protocols before the next pretraining; one row per init, random
    init first (fake stages: nothing is trained)."""
    demo = load_tool('demo')
    monkeypatch.setattr(demo, 'make_set', lambda *args: None)
    monkeypatch.setattr(demo, 'random_init_checkpoint', lambda *args: 'r.pth')
    monkeypatch.setattr(demo.demo_plot, 'online_curves', lambda work: work)
    seen = {}

    def plot_curves(curves, out, reference, label):
        seen.update(curves=curves, reference=reference)
        return out

    def result(name, protocol):
        if protocol == 'pretrain':
            return 'ckpt'
        if protocol == 'retrieval':
            return dict(top1=30.0, top5=60.0, rank=9.0)
        return {protocol: 10.0 if name == 'random_init' else 40.0}

    def run_stages(stages, jobs, stop):
        seen.update(order=list(stages), jobs=jobs)
        return {stage: result(*stage) for stage in stages}

    monkeypatch.setattr(demo.demo_plot, 'plot_curves', plot_curves)
    monkeypatch.setattr(demo, 'run_stages', run_stages)
    monkeypatch.setattr(sys, 'argv', [
        'demo', '--method', 'ascnet,cvrl', '--out',
        str(tmp_path), '--jobs', '2'
    ])
    demo.main()
    protocols = ['finetune', 'linear_probe', 'retrieval']
    assert seen['order'] == ([('ascnet', 'pretrain')] +
                             [('random_init', p) for p in protocols] +
                             [('ascnet', p) for p in protocols] +
                             [('cvrl', 'pretrain')] +
                             [('cvrl', p) for p in protocols])
    assert seen['jobs'] == 2
    assert seen['curves'] == {
        m: osp.join(str(tmp_path), m, 'pretrain')
        for m in ('ascnet', 'cvrl')
    }
    assert seen['reference'] == {
        'knn/top1': 30.0,
        'spectrum/effective_rank': 9.0
    }
    results = (tmp_path / 'results.md').read_text().splitlines()
    assert results[0].startswith('quick budget, ')
    assert results[0].endswith(', 2 stages at a time')
    assert results[-3:] == [
        '| random init | 10.0 | 10.0 | 30.0 | 60.0 | 9.0 |',
        '| ascnet + var-cov (ours) | 40.0 | 40.0 | 30.0 | 60.0 | 9.0 |',
        '| cvrl | 40.0 | 40.0 | 30.0 | 60.0 | 9.0 |',
    ]
