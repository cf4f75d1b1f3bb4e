"""Benchmark tools: each runs on tiny inputs and prints its table; decode counts are exact."""
import re

import numpy as np
import pytest
from helpers import load_tool, ramp_video, write_video


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


TINY = ['--num-samples', '2', '--batch-size', '2', '--warmup', '0', '--clip-len', '4',
        '--crop-size', '32', '--short-side', '64']


def test_decoder_frames_model(data_tool):
    keys = np.array([0, 8, 16])
    assert data_tool.decoder_frames([0, 1, 2], keys, 0) == (3, 3)  # read on
    assert data_tool.decoder_frames([5], keys, 2) == (4, 6)  # decode forward in the GOP
    assert data_tool.decoder_frames([10], keys, 3) == (3, 11)  # seek to keyframe 8
    assert data_tool.decoder_frames([5], keys, 11) == (6, 6)  # backwards: seek to 0
    assert data_tool.decoder_frames([4, 4, 5], keys, 4) == (2, 6)  # repeats are copied


def test_data_throughput_table(data_tool, videos, tmp_path, capsys):
    from ascnet_mm.video_io.transcode import EncodeSettings, prepare_videos
    prepared = tmp_path / 'prepared'
    prepare_videos(str(videos), str(prepared), settings=EncodeSettings(short_side=64, gop=4))
    out = data_tool.main([str(videos), '--method', 'ascnet', 'cvrl', '--workers', '0',
                          '--paths', 'ours', 'ours_device', 'naive', 'repeat_aug',
                          '--prepared', str(prepared), *TINY])
    text = capsys.readouterr().out
    assert table_headers(text, 'method')[:len(data_tool.THROUGHPUT_HEADERS)] == \
        list(data_tool.THROUGHPUT_HEADERS)
    assert list(data_tool.PREPARED_HEADERS) == [
        c for c in table_headers(text.split('prepared copy')[1], 'method')]
    assert re.search(r'\| ascnet \| repeat_aug \| 2 x 4 \| n/a', text)
    assert re.search(r'\| cvrl \| repeat_aug \| 2 x 4 \| \d', text)
    assert '64x64, keyframe every 4' in text  # the prepared copy: --gop 4
    for method in ('ascnet', 'cvrl'):
        ours, naive = out['results'][method]['ours'], out['results'][method]['naive']
        assert ours['frames'] == ours['unique'] and ours['calls'] == 1
        assert naive['frames'] == 2 * 4 and naive['calls'] == 2
        assert ours['clips'] == naive['clips'] == 2
        assert out['prepared'][method]['clips_per_s'] > 0
        device = out['results'][method]['ours_device']
        assert device['frames'] == device['unique'] and device['calls'] == 1
        assert re.search(rf'{method}: ours_device \(colour augmentation on the device\) '
                         r'[\d.]+x naive clips/s', text)


def test_ours_device_path_only_leaves_out_the_colour_augmentation(data_tool):
    cfg = data_tool.method_config('cvrl')
    pipes = data_tool.path_pipelines(cfg, ['ours', 'ours_device'], clip_len=8)
    assert [t for t in pipes['ours'] if t['type'] != 'ViewAugment'] == pipes['ours_device']
    assert len(pipes['ours']) == len(pipes['ours_device']) + 1


@pytest.mark.parametrize('path', ['ours', 'naive'])
def test_counts_come_back_from_workers(data_tool, videos, path, capsys):
    out = data_tool.main([str(videos), '--method', 'rspnet', '--workers', '1', '--paths',
                          path, *TINY])
    r = out['results']['rspnet'][path]
    assert r['samples'] == 2 and r['clips'] == 3 and r['decoder'] >= r['unique']
    # RSPNet's views 1 and 2 share a start, so they always overlap.
    if path == 'ours':
        assert r['frames'] == r['unique'] < 3 * 4 and r['calls'] == 1
    else:
        assert r['frames'] == 3 * 4 > r['unique'] and r['calls'] == 3
    assert '| rspnet |' in capsys.readouterr().out


def test_naive_path_gives_the_same_views(data_tool, videos, tmp_path):
    """Same seed, same views and augmentation: only the decoding differs."""
    import torch
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    data_tool.install_decode_counter()
    ann = data_tool.write_ann_file(data_tool.list_videos(str(videos)), str(tmp_path / 'l.txt'))
    cfg = data_tool.method_config('ascnet')
    pipes = data_tool.path_pipelines(cfg, ['ours', 'naive'], clip_len=8, crop_size=32)
    outputs, counts = {}, {}
    for path in ('ours', 'naive'):
        dataset = data_tool.CountingDataset(
            data_tool.build_dataset(cfg, path, pipes[path], ann))
        data_tool.seed_process(3)  # numpy, random (RandomResizedCrop) and torch
        outputs[path], counts[path] = zip(*[dataset[i] for i in range(6)])
    overlapped = 0
    for ours, naive, c_ours, c_naive in zip(*outputs.values(), *counts.values()):
        assert torch.equal(ours['inputs'], naive['inputs'])
        assert c_ours['frames'] == c_ours['unique'] == c_naive['unique']
        assert c_naive['frames'] == 16
        overlapped += c_naive['frames'] > c_naive['unique']
    assert overlapped  # speeds 1 and 2 over 8 frames in 40: some views overlap


def test_make_bench_videos(tmp_path, capsys):
    import decord
    tool = load_tool('benchmark/make_bench_videos')
    paths = tool.main(['--out', str(tmp_path), '--num', '2', '--size', '64x32',
                       '--seconds', '2', '--fps', '10', '--gop', '5'])
    assert len(paths) == 2
    for p in paths:
        assert tool.keyframe_interval(p) == (20, 5.0)
        vr = decord.VideoReader(p)
        assert len(vr) == 20 and vr[0].shape == (32, 64, 3)
    assert 'mean keyframe interval 5.0' in capsys.readouterr().out


def test_train_throughput_table(capsys):
    tool = load_tool('benchmark/train_throughput')
    results = tool.main(['--backbone', 's3dg', '--batch-size', '2', '--clip-len', '4',
                         '--crop-size', '32', '--warmup', '0', '--iters', '1',
                         '--threads', '1', '--memory-format', 'contiguous',
                         'channels_last'])
    text = capsys.readouterr().out
    assert table_headers(text, 'method') == list(tool.HEADERS)
    assert len(results) == 3 * 2 * 2  # methods x (none, bf16) x memory formats
    for r in results:
        assert r['ssl_s'] > 0 and r['bare_s'] > 0
        assert f'| {r["method"]} | s3dg | {r["precision"]} | {r["memory_format"]} |' in text
    assert {r['clips'] for r in results} == {2 * 2, 2 * 3}  # RSPNet has 3 views
