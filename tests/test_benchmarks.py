"""Benchmarks: the tools run on tiny inputs and print their tables; decode
counts are exact; the library in ``ascnet_mm.benchmark`` asks the configs'
samplers for their layout."""
import os.path as osp
import re

import numpy as np
import pytest
from helpers import (load_tool, ramp_video, run_python, torchcodec_mark,
                     torchcodec_usable, write_video)
from mmengine.config import Config

from ascnet_mm import benchmark as bench
from ascnet_mm.benchmark.pipelines import crop_path
from ascnet_mm.utils import (METHODS, PRETRAIN_CONFIGS, markdown_table,
                             pretrain_config)


@pytest.fixture(scope='module')
def data_tool():
    return load_tool('benchmark/data_throughput')


@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    """Three 64x64 H.264 videos of 40 frames, a keyframe every 8."""
    root = tmp_path_factory.mktemp('bench_videos')
    for i in range(3):
        write_video(root / f'v{i}.mp4', ramp_video(40, 64, seed=i), gop=8)
    return root


def table_headers(text, first):
    """Header cells of the markdown table whose first column is ``first``."""
    for line in text.splitlines():
        if line.startswith(f'| {first} |'):
            return [c.strip() for c in line.strip('|').split('|')]
    raise AssertionError(f'no table starting with "{first}" in:\n{text}')


TINY = [
    '--num-samples', '2', '--batch-size', '2', '--warmup', '0', '--clip-len',
    '4', '--crop-size', '32', '--short-side', '64'
]


def test_decoder_frames_model():
    keys = np.array([0, 8, 16])
    assert bench.decoder_frames([0, 1, 2], keys, 0) == (3, 3)  # read on
    assert bench.decoder_frames([5], keys, 2) == (4, 6)  # forward in the GOP
    assert bench.decoder_frames([10], keys, 3) == (3, 11)  # seek to key 8
    assert bench.decoder_frames([5], keys, 11) == (6, 6)  # back: seek to 0
    assert bench.decoder_frames([4, 4, 5], keys, 4) == (2, 6)  # copied


@pytest.mark.slow
def test_data_throughput_table(data_tool, videos, tmp_path, capsys):
    from ascnet_mm.video_io import EncodeSettings, prepare_videos
    prepared = tmp_path / 'prepared'
    prepare_videos(
        str(videos),
        str(prepared),
        settings=EncodeSettings(short_side=64, gop=4))
    out = data_tool.main([
        str(videos), '--method', 'ascnet', 'cvrl', '--workers', '0', '--paths',
        'ours', 'ours_device', 'naive', 'repeat_aug', '--prepared',
        str(prepared), *TINY
    ])
    text = capsys.readouterr().out
    assert table_headers(text, 'method')[:len(bench.THROUGHPUT_HEADERS)] == \
        list(bench.THROUGHPUT_HEADERS)
    assert list(bench.PREPARED_HEADERS) == [
        c for c in table_headers(text.split('prepared copy')[1], 'method')
    ]
    assert re.search(r'\| ascnet \| repeat_aug \| decord \| 2 x 4 \| n/a',
                     text)
    assert re.search(r'\| cvrl \| repeat_aug \| decord \| 2 x 4 \| \d', text)
    assert '64x64, keyframe every 4' in text  # the prepared copy: --gop 4
    for method in ('ascnet', 'cvrl'):
        ours, naive = out['results'][method]['ours'], out['results'][method][
            'naive']
        assert ours['frames'] == ours['unique'] and ours['calls'] == 1
        assert naive['frames'] == 2 * 4 and naive['calls'] == 2
        assert ours['clips'] == naive['clips'] == 2
        assert out['prepared'][method]['clips_per_s'] > 0
        device = out['results'][method]['ours_device']
        assert device['frames'] == device['unique'] and device['calls'] == 1
        assert re.search(
            rf'{method}: ours_device \(colour augmentation on the device\) '
            r'[\d.]+x naive clips/s', text)


def test_ours_device_path_only_leaves_out_the_colour_augmentation():
    cfg = bench.method_config('cvrl')
    pipes = bench.path_pipelines(cfg, ['ours', 'ours_device'], clip_len=8)
    assert [t for t in pipes['ours']
            if t['type'] != 'ViewAugment'] == pipes['ours_device']
    assert len(pipes['ours']) == len(pipes['ours_device']) + 1


def test_ours_device_crop_path_ships_frames_and_boxes(videos, tmp_path):
    """The Kinetics configs crop on the device; ``ours`` is their CPU path
    (the preprocessor's colour back in ``ViewAugment``),
    ``ours_device_crop`` ships each sample's frames and V boxes."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    cfg = bench.method_config('rspnet')
    pipes = bench.path_pipelines(
        cfg, ['ours', 'ours_device_crop'], clip_len=8, crop_size=32)
    ours, device = pipes['ours'], pipes['ours_device_crop']
    assert [t['type'] for t in ours[3:]] == [
        'MultiViewTransforms', 'FormatShape', 'ViewAugment', 'PackActionInputs'
    ]
    assert ours[5] == cfg.model.data_preprocessor.augment.to_dict()
    assert [t['type']
            for t in device[3:]] == ['DeviceCropViews', 'PackActionInputs']
    assert device[3]['transforms'] == ours[3]['transforms']
    assert crop_path(ours, True) == device
    ann = bench.write_ann_file(
        bench.list_videos(str(videos)), str(tmp_path / 'l.txt'))
    dataset = bench.CountingDataset(
        bench.build_dataset(cfg, 'ours_device_crop', device, ann))
    sample, stats = dataset[0]
    unique = sample['data_samples'].metainfo['view_frames'].max() + 1
    assert sample['inputs'].shape == (unique, 64, 64, 3)
    assert stats['clips'] == 3  # views, not frames


@pytest.mark.slow
@pytest.mark.parametrize('path', ['ours', 'naive'])
def test_counts_come_back_from_workers(data_tool, videos, path, capsys):
    out = data_tool.main([
        str(videos), '--method', 'rspnet', '--workers', '1', '--paths', path,
        *TINY
    ])
    r = out['results']['rspnet'][path]
    assert r['samples'] == 2 and r['clips'] == 3
    assert r['decoder'] >= r['unique']
    # RSPNet's views 1 and 2 share a start, so they always overlap.
    if path == 'ours':
        assert r['frames'] == r['unique'] < 3 * 4 and r['calls'] == 1
    else:
        assert r['frames'] == 3 * 4 > r['unique'] and r['calls'] == 3
    assert '| rspnet |' in capsys.readouterr().out


def test_naive_path_gives_the_same_views(videos, tmp_path):
    """Same seed, same views and augmentation: only the decoding differs."""
    import torch
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    bench.install_decode_counter()
    ann = bench.write_ann_file(
        bench.list_videos(str(videos)), str(tmp_path / 'l.txt'))
    cfg = bench.method_config('ascnet')
    pipes = bench.path_pipelines(
        cfg, ['ours', 'naive'], clip_len=8, crop_size=32)
    outputs, counts = {}, {}
    for path in ('ours', 'naive'):
        dataset = bench.CountingDataset(
            bench.build_dataset(cfg, path, pipes[path], ann))
        bench.seed_process(3)  # numpy, random (RandomResizedCrop) and torch
        outputs[path], counts[path] = zip(*[dataset[i] for i in range(6)])
    overlapped = 0
    for ours, naive, c_ours, c_naive in zip(*outputs.values(),
                                            *counts.values()):
        assert torch.equal(ours['inputs'], naive['inputs'])
        assert c_ours['frames'] == c_ours['unique'] == c_naive['unique']
        assert c_naive['frames'] == 16
        overlapped += c_naive['frames'] > c_naive['unique']
    assert overlapped  # speeds 1 and 2 over 8 frames in 40: some views overlap


def test_make_bench_videos(tmp_path, capsys):
    import decord
    tool = load_tool('benchmark/make_bench_videos')
    paths = tool.main([
        '--out',
        str(tmp_path), '--num', '2', '--size', '64x32', '--seconds', '2',
        '--fps', '10', '--gop', '5'
    ])
    assert len(paths) == 2
    for p in paths:
        assert bench.keyframe_interval(p) == (20, 5.0)
        vr = decord.VideoReader(p)
        assert len(vr) == 20 and vr[0].shape == (32, 64, 3)
    assert 'mean keyframe interval 5.0' in capsys.readouterr().out


@pytest.mark.slow
def test_train_throughput_table(capsys):
    tool = load_tool('benchmark/train_throughput')
    results = tool.main([
        '--backbone', 's3dg', '--batch-size', '2', '--clip-len', '4',
        '--crop-size', '32', '--warmup', '0', '--iters', '1', '--threads', '1',
        '--memory-format', 'contiguous', 'channels_last'
    ])
    text = capsys.readouterr().out
    assert table_headers(text, 'method') == list(bench.TRAIN_HEADERS)
    assert len(results) == 3 * 2 * 2  # methods x (none, bf16) x memory formats
    for r in results:
        assert r['ssl_s'] > 0 and r['bare_s'] > 0
        assert (f'| {r["method"]} | s3dg | {r["precision"]} | '
                f'{r["memory_format"]} |') in text
    assert {r['clips']
            for r in results} == {2 * 2, 2 * 3}  # RSPNet has 3 views


def test_pretrain_configs_are_named_in_one_table():
    assert {m for m, _, _ in PRETRAIN_CONFIGS} == set(METHODS)
    for key in PRETRAIN_CONFIGS:
        assert osp.isfile(pretrain_config(*key)), key
    assert pretrain_config('cvrl') == pretrain_config('cvrl', 'r3d18', 'k400')
    assert bench.method_config('cvrl').filename == pretrain_config('cvrl')
    with pytest.raises(ValueError, match=r"\('cvrl', 'r2plus1d18', 'k400'\)"):
        pretrain_config('cvrl', 'r2plus1d18')


def test_markdown_table():
    assert markdown_table(('a', 'b'), [[1, 'x'], [2.5, '']]).splitlines() == [
        '| a | b |', '| --- | --- |', '| 1 | x |', '| 2.5 |  |'
    ]
    assert markdown_table(('a', 'b'), [], align='lr').splitlines()[1] == \
        '| --- | ---: |'
    with pytest.raises(ValueError, match='per column'):
        markdown_table(('a', 'b'), [], align='l')


@pytest.mark.parametrize('method', METHODS)
def test_batches_have_the_views_and_speeds_of_the_config_sampler(method):
    cfg = Config.fromfile(pretrain_config(method))
    sampler = bench.pretrain_sampler(cfg)
    state = np.random.get_state()[1].copy()
    batch = bench.make_batch(cfg, 8, clip_len=2, crop_size=4, device='cpu')
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert [tuple(x.shape) for x in batch['inputs']] == \
        [(sampler.num_views, 3, 2, 4, 4)] * 8
    speeds = np.stack([s.view_speeds for s in batch['data_samples']])
    assert speeds.shape == (8, sampler.num_views)
    for view, allowed in zip(speeds.T, sampler.view_speeds):
        assert set(view) <= set(allowed)
    if method == 'ascnet':  # two distinct speeds of (1, 2)
        assert (np.sort(speeds, axis=1) == [1, 2]).all()
    elif method == 'rspnet':  # [a, a, b]
        assert (speeds[:, 0] == speeds[:, 1]).all()
        assert (speeds[:, 1] != speeds[:, 2]).all()
    np.testing.assert_array_equal(speeds,
                                  bench.sample_speeds(sampler, 8, seed=0))


def test_repeat_aug_applies_where_every_view_has_one_stride():
    base = bench.method_pipeline(bench.method_config('cvrl'))
    base[1] = dict(
        type='TemporalIntervalSampler',
        clip_len=8,
        frame_interval=4,
        num_views=3)
    pipeline, repeats, why = bench.repeat_aug_pipeline(base)
    assert (repeats, why) == (3, '')
    assert pipeline[1] == dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=4,
        num_clips=1,
        out_of_bound_opt='loop')
    base[1] = dict(type='SpeedPairSampler', speeds=(1, 2), num_views=2)
    pipeline, repeats, why = bench.repeat_aug_pipeline(base)
    assert pipeline is None and repeats == 2 and 'differ in speed' in why
    with pytest.raises(ValueError, match='view sampler'):
        bench.repeat_aug_pipeline([base[0], base[2]])


@pytest.mark.slow
def test_import_ascnet_mm_leaves_the_benchmarks_out():
    code = ('import sys, ascnet_mm; '
            "print(any(m.startswith('ascnet_mm.benchmark') "
            'for m in sys.modules))')
    out = run_python(['-c', code]).stdout
    assert out.strip() == 'False'


def test_train_report_gpu_columns_and_target():
    """The GPU-only columns and target lines (no GPU in the test runs)."""
    r = dict(
        method='ascnet',
        backbone='s3dg',
        precision='bf16',
        memory_format='contiguous',
        shape='2 x 2 x 4 x 32x32',
        clips=4,
        ssl_s=0.2,
        bare_s=0.16,
        ssl_peak=8 * 2**20,
        bare_peak=4 * 2**20)
    rows = bench.train_rows([r, dict(r, precision='none', ssl_s=0.1)],
                            gpu=True)
    assert len(rows[0]) == len(bench.TRAIN_HEADERS + bench.TRAIN_GPU_HEADERS)
    assert rows[0][5:] == [
        '200.0', '20.0', '160.0', '25.0', '1.25x', '2.0', '1.0'
    ]
    assert len(bench.train_rows([r], gpu=False)[0]) == \
        len(bench.TRAIN_HEADERS)
    assert bench.train_target_lines([r, dict(r, precision='none')]) == [
        'ascnet s3dg contiguous: bf16 SSL step 1.25x bare '
        '(target <= 1.15x: MISSED)'
    ]


DECODER_PARAMS = [
    'decord', pytest.param('torchcodec', marks=torchcodec_mark())
]


def test_decoder_swaps_only_the_init_and_decode_steps():
    cfg = bench.method_config('ascnet')
    ours = bench.method_pipeline(cfg, clip_len=8)
    swapped = bench.method_pipeline(cfg, clip_len=8, decoder='torchcodec')
    assert [t['type']
            for t in swapped[:3:2]] == ['TorchCodecInit', 'TorchCodecDecode']
    assert swapped[1] == ours[1] and swapped[3:] == ours[3:]
    assert bench.pipeline_decoder(swapped) == 'torchcodec'
    assert bench.pipeline_decoder(ours) == 'decord'
    naive = bench.naive_pipeline(swapped)[2]
    assert type(naive.decode).__name__ == 'TorchCodecDecode'
    bound = bench.path_pipelines(
        cfg, ['decode_only'], clip_len=8, decoder='torchcodec')['decode_only']
    assert bound[:2] == swapped[:2] and len(bound) == 3
    assert isinstance(bound[2], bench.DecodeOnly)


@pytest.mark.parametrize('decoder', DECODER_PARAMS)
def test_decode_only_reads_the_unique_frames_of_the_plan(
        videos, tmp_path, decoder):
    """One read of exactly the sampler's sorted unique frames, nothing
    else: the same frames as a plain decord ``get_batch`` of the plan."""
    import decord
    from mmcv.transforms import Compose
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    bench.install_decode_counter()
    ann = bench.write_ann_file(
        bench.list_videos(str(videos)), str(tmp_path / 'l.txt'))
    cfg = bench.method_config('ascnet')  # (RSPNet's sampler is stateful)
    pipe = bench.path_pipelines(
        cfg, ['decode_only'], clip_len=8, decoder=decoder)['decode_only']
    dataset = bench.build_dataset(cfg, 'decode_only', pipe, ann)
    counting = bench.CountingDataset(dataset)
    overlapped = 0
    for i in range(6):
        bench.seed_process(i)
        plan = Compose(pipe[:2])(dataset.get_data_info(i % 3))
        bench.seed_process(i)
        out, stats = counting[i]
        unique = np.unique(plan['frame_inds'])
        overlapped += len(unique) < 2 * 8
        assert stats['frames'] == stats['unique'] == len(unique)
        assert stats['calls'] == 1 and stats['clips'] == 2
        assert set(out) == {'inputs', 'num_views'}
        expected = decord.VideoReader(plan['filename']).get_batch(unique)
        np.testing.assert_array_equal(out['inputs'].numpy(),
                                      expected.asnumpy())
    assert overlapped  # shared frames are read once


def test_rows_compare_each_path_with_the_bound_of_its_decoder():

    def result(path, decoder, per_cpu_s, cpu_ms):
        r = dict.fromkeys(('clips_per_s', 'per_core', 'per_cpu_s'), per_cpu_s)
        r.update(path=path, decoder_name=decoder, views='2 x 16')
        r.update(cpu_ms=cpu_ms, cpu_ms_runs=[cpu_ms, cpu_ms + 1])
        r.update(decode_ms=1.0, frames=32, unique=32, clips=2, decoder=40)
        return dict(r, calls=1)

    by_path = {
        bench.path_key(p, d): result(p, d, s, 2000 / s)
        for p, d, s in [(
            'decode_only', 'decord',
            100.0), ('ours_device', 'decord',
                     95.0), ('decode_only', 'torchcodec',
                             125.0), ('ours_device', 'torchcodec', 100.0)]
    }
    rows = bench.throughput_rows({'ascnet': by_path})
    col = bench.THROUGHPUT_HEADERS.index('vs decode_only (CPU)')
    assert [(r[1], r[2], r[col])
            for r in rows] == [('decode_only', 'decord', '1.00x'),
                               ('ours_device', 'decord', '0.95x'),
                               ('decode_only', 'torchcodec', '1.00x'),
                               ('ours_device', 'torchcodec', '0.80x')]
    assert all(len(r) == len(bench.THROUGHPUT_HEADERS) for r in rows)
    assert bench.decode_bound_lines({'ascnet': by_path}) == [
        'ascnet: ours_device (decord) 0.95x the decode-only bound per CPU '
        'second (target >= 0.9x: met)',
        'ascnet: ours_device (torchcodec) 0.80x the decode-only bound per '
        'CPU second (target >= 0.9x: MISSED)',
        "ascnet: decode_only: torchcodec 1.25x decord's clips per CPU second "
        '(CPU ms/sample per repeat: torchcodec 16.0, 17.0; decord 20.0, 21.0)',
        "ascnet: ours_device: torchcodec 1.05x decord's clips per CPU second "
        '(CPU ms/sample per repeat: torchcodec 20.0, 21.0; decord 21.1, 22.1)'
    ]


@pytest.mark.slow
def test_decode_only_column_from_a_worker(data_tool, videos, capsys):
    decoders = ['decord'] + ([] if torchcodec_usable() else ['torchcodec'])
    out = data_tool.main([
        str(videos), '--method', 'ascnet', '--workers', '1', '--paths',
        'decode_only', 'ours_device', '--decoder', *decoders, *TINY
    ])
    text = capsys.readouterr().out
    headers = table_headers(text, 'method')
    assert headers == list(bench.THROUGHPUT_HEADERS)
    col = headers.index('vs decode_only (CPU)')
    rows = [[c.strip() for c in line.strip('|').split('|')]
            for line in text.splitlines() if line.startswith('| ascnet |')]
    assert [(r[1], r[2]) for r in rows] == [
        (p, d) for d in decoders for p in ('decode_only', 'ours_device')
    ]
    for r in rows:
        assert re.fullmatch(r'\d+\.\d\dx', r[col])
    assert {r[col] for r in rows if r[1] == 'decode_only'} == {'1.00x'}
    for d in decoders:
        bound = out['results']['ascnet'][bench.path_key('decode_only', d)]
        device = out['results']['ascnet'][bench.path_key('ours_device', d)]
        assert bound['frames'] == bound['unique'] and bound['calls'] == 1
        assert bound['samples'] == 2 and bound['clips'] == 2
        # Sample i draws from seed + i on every path: the same frames.
        for key in ('frames', 'unique', 'decoder'):
            assert bound[key] == device[key], key
        assert re.search(
            rf'ascnet: ours_device \({d}\) [\d.]+x the decode-only bound',
            text)
