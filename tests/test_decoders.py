"""torchcodec decoding (transforms, verifier, transcoder) against decord."""
import random
import sys

import numpy as np
import pytest
import torch
from helpers import load_tool, ramp_video, torchcodec_mark, write_video
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose
from mmengine.config import Config

from ascnet_mm.video_io import check_video, prepare_videos
from ascnet_mm.video_io.readers import open_video

requires_torchcodec = torchcodec_mark()


def decode(decoder, filename, frame_inds):
    """Stock-style Init + Decode of ``frame_inds`` with ``decoder``."""
    results = TRANSFORMS.build(dict(type=f'{decoder}Init'))(
        dict(filename=str(filename)))
    results['frame_inds'] = np.asarray(frame_inds)
    return TRANSFORMS.build(dict(type=f'{decoder}Decode'))(results)


@requires_torchcodec
@pytest.mark.parametrize('frame_inds',
                         [[0, 1, 2, 3], [2, 5, 5, 9, 29], [17, 3, 8]])
def test_torchcodec_decodes_what_decord_does(tmp_path, frame_inds):
    video = write_video(tmp_path / 'v.mp4', ramp_video(30, 64), gop=8)
    ours, stock = (
        decode(d, video, frame_inds) for d in ('TorchCodec', 'Decord'))
    for key in ('total_frames', 'avg_fps', 'original_shape', 'img_shape'):
        assert ours[key] == stock[key], key
    assert ours['total_frames'] == 30 and ours['img_shape'] == (64, 64)
    assert ours['video_reader'] is None
    assert len(ours['imgs']) == len(frame_inds)
    for a, b in zip(ours['imgs'], stock['imgs']):
        assert a.shape == (64, 64, 3) and a.dtype == np.uint8
        np.testing.assert_array_equal(a, b)


@requires_torchcodec
def test_torchcodec_decodes_a_width_decord_fails_on(tmp_path):
    video = write_video(tmp_path / 'w24.mp4', ramp_video(12, 24))
    with pytest.raises(Exception, match='size must exactly match'):
        decode('Decord', video, [0, 1])
    results = decode('TorchCodec', video, [0, 4, 11])
    assert results['img_shape'] == (24, 24)
    means = [img.mean() / 8 for img in results['imgs']]
    np.testing.assert_allclose(means, [0, 4, 11], atol=0.5)
    assert check_video(video, decoder='torchcodec')[:3] == (True, '', 12)
    assert not check_video(video).ok


def pipeline_output(cfg, decoder, filename):
    """The synthetic ASCNet pipeline's packed inputs with ``decoder``."""
    steps = [
        dict(t, type=t['type'].replace('Decord', decoder))
        for t in cfg.train_dataloader.dataset.pipeline
    ]
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    return Compose([TRANSFORMS.build(t) for t in steps])(dict(
        filename=filename, start_index=0, modality='RGB',
        sample_idx=0))['inputs']


@requires_torchcodec
def test_multi_view_pipeline_same_with_either_decoder(tmp_path):
    cfg = Config.fromfile('configs/ascnet/ascnet_r18-w16_synthetic.py')
    types = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert types[0] == 'DecordInit' and types[2] == 'DecordDecode'
    video = str(write_video(tmp_path / 'v.mp4', ramp_video(40, 64)))
    ours = pipeline_output(cfg, 'TorchCodec', video)
    stock = pipeline_output(cfg, 'Decord', video)
    assert ours.shape[0] == 2 and ours.shape == stock.shape
    assert (ours == stock).all()


def test_decoder_is_one_line_of_the_dataset_bases():
    for name in ('kinetics400_pretrain', 'synthetic_cls'):
        text = open(f'configs/_base_/datasets/{name}.py').read()
        swapped = text.replace("decoder = 'Decord'", "decoder = 'TorchCodec'")
        assert swapped != text
        cfg = Config.fromstring(swapped, '.py')
        dumped = cfg.pretty_text
        assert 'Decord' not in dumped.replace("decoder='TorchCodec'", '')
        assert "'TorchCodecInit'" in dumped
        assert "'TorchCodecDecode'" in dumped


def test_missing_torchcodec_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, 'torchcodec', None)
    monkeypatch.setitem(sys.modules, 'torchcodec.decoders', None)
    with pytest.raises(ImportError, match=r'ascnet-mm\[torchcodec\]'):
        open_video(str(tmp_path / 'v.mp4'), 'torchcodec')
    video = write_video(tmp_path / 'v.mp4', ramp_video(4, 32))
    with pytest.raises(ImportError, match='torchcodec==0.12.0'):
        check_video(video, decoder='torchcodec')
    with pytest.raises(ValueError, match='unknown decoder'):
        open_video(video, 'opencv')


@pytest.mark.slow  # starts worker processes that import torch
@requires_torchcodec
def test_verifier_and_transcoder_with_torchcodec(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    write_video(src / 'a.mp4', ramp_video(10, 32))
    (src / 'bad.mp4').write_bytes(b'\x00' * 64)
    s = prepare_videos(str(src), str(tmp_path / 'out'), decoder='torchcodec')
    assert (s['done'], s['rejected']) == (1, 1)
    (tmp_path / 'list.txt').write_text('a.mp4 0\nbad.mp4 1\n')
    s = load_tool('data/verify_videos').main([
        str(tmp_path / 'list.txt'), '--data-prefix',
        str(src), '--out-dir',
        str(tmp_path / 'verified'), '--decoder', 'torchcodec'
    ])
    assert (s['ok'], s['rejected']) == (1, 1)
    assert (tmp_path / 'verified' / 'list.txt').read_text() == 'a.mp4 0\n'
