"""tools/demo.py: the results table (the runs themselves are `make demo`)."""
import json
import os.path as osp

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


def test_make_set_refuses_a_set_made_with_other_settings(
        tmp_path, monkeypatch):
    demo = load_tool('demo')
    monkeypatch.setattr(demo, 'ROOT', str(tmp_path))
    calls = []
    monkeypatch.setattr(demo, 'run', lambda args, log: calls.append(args))
    demo.make_set('fresh', 320, 0, str(tmp_path / 'log'))
    assert calls == [[
        'tools/data/make_synthetic.py', '--out', 'fresh', '--videos', '320',
        '--seed', '0'
    ] + demo.SET_OPTIONS]
    # The same settings: kept as it is.
    (tmp_path / 'same').mkdir()
    (tmp_path / 'same' / 'meta.json').write_text(
        json.dumps(dict(demo.SET_META, num_videos=320, seed=0, classes=[])))
    demo.make_set('same', 320, 0, str(tmp_path / 'log'))
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
        demo.make_set('old', 320, 0, str(tmp_path / 'log'))
    assert len(calls) == 1


def test_demo_set_options_are_what_the_generator_records(tmp_path):
    demo = load_tool('demo')
    cli = load_tool('data/make_synthetic')
    out = str(tmp_path / 'set')
    cli.main([
        '--out', out, '--videos', '2', '--size', '16', '--workers', '1',
        '--seed', '3'
    ] + demo.SET_OPTIONS)
    meta = json.load(open(osp.join(out, 'meta.json')))
    assert {k: meta[k] for k in demo.SET_META} == demo.SET_META


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
