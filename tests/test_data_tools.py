"""Dataset tooling: split parsing, video checks, the verify / prepare /
build-list CLIs."""
import os
from pathlib import Path

import av
import decord
import numpy as np
import pytest
from helpers import load_tool, ramp_video, write_video

from ascnet_mm.datasets import annotation_lists as annotations
from ascnet_mm.video_io import check_video
from ascnet_mm.video_io.prepare import prepare_one, prepare_videos
from ascnet_mm.video_io.transcode import EncodeSettings, output_size


def write_text(path, text, newline='\n'):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace('\n', newline).encode())
    return path


def video(path, frames, **kwargs):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return write_video(path, frames, **kwargs)


def read_lines(path):
    return Path(path).read_text().splitlines()


def keyframe_positions(path):
    with av.open(str(path)) as c:
        keys = [p.is_keyframe for p in c.demux(c.streams.video[0]) if p.size]
    return [i for i, k in enumerate(keys) if k], len(keys)


def bad_videos(root):
    """Zero-byte, text renamed .mp4, an mp4 cut to half its bytes; names ->
    reason start."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / 'empty.mp4').write_bytes(b'')
    (root / 'text.mp4').write_text('not a video at all\n' * 20)
    whole = Path(video(root / 'whole.mp4', ramp_video(24, 32))).read_bytes()
    (root / 'half.mp4').write_bytes(whole[:len(whole) // 2])
    os.remove(root / 'whole.mp4')
    return {
        'empty.mp4': 'empty file',
        'text.mp4': 'not a video',
        'half.mp4': 'truncated',
        'gone.mp4': 'missing'
    }


def faststart_copy(src, dst):
    """Remux ``src`` with the index (moov) before the data, as streamed
    downloads have it."""
    with av.open(str(src)) as ic, av.open(
            str(dst), 'w', options={'movflags': 'faststart'}) as oc:
        ost = oc.add_stream_from_template(ic.streams.video[0])
        for packet in ic.demux(ic.streams.video[0]):
            if packet.dts is not None:
                packet.stream = ost
                oc.mux(packet)
    return dst


# --- annotations
# ------------------------------------------------------------------------


def test_ucf101_lists(tmp_path):
    d = tmp_path / 'ucfTrainTestlist'
    write_text(d / 'classInd.txt',
               '1 ApplyEyeMakeup\n2 Archery\n3 HandstandPushups\n', '\r\n')
    write_text(
        d / 'trainlist02.txt', 'Archery/v_Archery_g08_c01.avi 2\n'
        'HandstandPushups/v_HandStandPushups_g08_c01.avi 3\n'
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g09_c02.avi 1\n', '\r\n')
    write_text(
        d / 'testlist02.txt', 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi\n'
        'HandstandPushups/v_HandStandPushups_g01_c03.avi\n', '\r\n')
    classes, lists = annotations.ucf101_lists(d, split=2)
    assert classes == ['ApplyEyeMakeup', 'Archery', 'HandstandPushups']
    assert lists == {
        'ucf101_train_split_2_videos.txt': [
            'Archery/v_Archery_g08_c01.avi 1',
            'HandstandPushups/v_HandStandPushups_g08_c01.avi 2',
            'ApplyEyeMakeup/v_ApplyEyeMakeup_g09_c02.avi 0'
        ],
        'ucf101_val_split_2_videos.txt': [
            'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 0',
            'HandstandPushups/v_HandStandPushups_g01_c03.avi 2'
        ]
    }
    write_text(d / 'trainlist01.txt', 'Archery/v_Archery_g08_c01.avi 3\n')
    write_text(d / 'testlist01.txt', '')
    with pytest.raises(ValueError, match='disagrees'):
        annotations.ucf101_lists(d, split=1)


def test_hmdb51_lists(tmp_path):
    d = tmp_path / 'splits'
    write_text(d / 'sword_exercise_test_split1.txt',
               'Sword_a_u_goo_0.avi 1 \nSword_b.avi 2 \n'
               'Sword_c.avi 0 \n')
    write_text(d / 'brush_hair_test_split1.txt',
               'Brushing_x_goo_0.avi 2 \nHair_y.avi 1 \n')
    write_text(d / 'brush_hair_test_split2.txt',
               'Brushing_x_goo_0.avi 1 \nHair_y.avi 2 \n')
    classes, lists = annotations.hmdb51_lists(d, split=1)
    assert classes == ['brush_hair', 'sword_exercise']
    assert lists == {
        'hmdb51_train_split_1_videos.txt':
        ['brush_hair/Hair_y.avi 0', 'sword_exercise/Sword_a_u_goo_0.avi 1'],
        'hmdb51_val_split_1_videos.txt':
        ['brush_hair/Brushing_x_goo_0.avi 0', 'sword_exercise/Sword_b.avi 1']
    }
    classes, lists = annotations.hmdb51_lists(d, split=2)
    assert classes == ['brush_hair']
    assert lists['hmdb51_train_split_2_videos.txt'] == [
        'brush_hair/Brushing_x_goo_0.avi 0'
    ]


KINETICS_TRAIN = """label,youtube_id,time_start,time_end,split,is_cc
riding a bike,--abc_DEF12,14,24,train,0
abseiling,xyz-1234567,0.0,10.0,train,0
"passing American football (in game)",Q9q9q9q9q9q,105,115,train,0
"""
KINETICS_VAL = """label,youtube_id,time_start,time_end,split
abseiling,val00000001,3,13,val
riding a bike,val00000002,1234,1244,val
"""


@pytest.mark.parametrize('layout', ['class', 'flat'])
def test_kinetics_lists(tmp_path, layout):
    train = write_text(tmp_path / 'train.csv', KINETICS_TRAIN)
    val = write_text(tmp_path / 'validate.csv', KINETICS_VAL)
    classes, lists = annotations.kinetics_lists(train, val, layout=layout)
    assert classes == [
        'abseiling', 'passing American football (in game)', 'riding a bike'
    ]
    prefix = {'class': lambda c: c + '/', 'flat': lambda c: ''}[layout]
    assert lists == {
        'kinetics400_train_list_videos.txt': [
            f'{prefix("riding_a_bike")}--abc_DEF12_000014_000024.mp4 2',
            f'{prefix("abseiling")}xyz-1234567_000000_000010.mp4 0',
            f'{prefix("passing_American_football_(in_game)")}'
            'Q9q9q9q9q9q_000105_000115.mp4 1'
        ],
        'kinetics400_val_list_videos.txt': [
            f'{prefix("abseiling")}val00000001_000003_000013.mp4 0',
            f'{prefix("riding_a_bike")}val00000002_001234_001244.mp4 2'
        ]
    }


def test_build_lists_cli_check_exists(tmp_path, capsys):
    train = write_text(tmp_path / 'train.csv', KINETICS_TRAIN)
    val = write_text(tmp_path / 'validate.csv', KINETICS_VAL)
    write_text(tmp_path / 'vtrain' / 'xyz-1234567_000000_000010.mp4', 'x')
    write_text(tmp_path / 'vtrain' / 'Q9q9q9q9q9q_000105_000115.mp4', 'x')
    write_text(tmp_path / 'vval' / 'val00000002_001234_001244.mp4', 'x')
    out = tmp_path / 'lists'
    report = load_tool('data/build_lists').main([
        'kinetics',
        str(train),
        str(val), '--layout', 'flat', '--out-dir',
        str(out), '--check-exists',
        str(tmp_path / 'vtrain'),
        str(tmp_path / 'vval')
    ])
    assert report == {
        'kinetics400_train_list_videos.txt': dict(kept=2, missing=1),
        'kinetics400_val_list_videos.txt': dict(kept=1, missing=1)
    }
    assert read_lines(out / 'classes.txt')[0] == 'abseiling'
    assert read_lines(out / 'kinetics400_train_list_videos.txt') == [
        'xyz-1234567_000000_000010.mp4 0', 'Q9q9q9q9q9q_000105_000115.mp4 1'
    ]
    assert read_lines(out / 'kinetics400_train_list_videos_missing.txt') == [
        '--abc_DEF12_000014_000024.mp4 2'
    ]
    assert read_lines(out / 'kinetics400_val_list_videos_missing.txt') == [
        'val00000001_000003_000013.mp4 0'
    ]
    assert '1 missing' in capsys.readouterr().out


# --- video checks
# -----------------------------------------------------------------------


def test_check_video_good_and_bad(tmp_path):
    good = check_video(video(tmp_path / 'good.mp4', ramp_video(20, 32)))
    assert good[:3] == (True, '', 20)
    for name, reason in bad_videos(tmp_path).items():
        result = check_video(tmp_path / name)
        assert not result.ok and result.num_frames == 0
        assert result.reason.startswith(reason), (name, result.reason)


def test_check_video_counts_decoded_frames(tmp_path, monkeypatch):
    path = video(tmp_path / 'v.mp4', ramp_video(20, 32))
    real = decord.VideoReader

    class ShortReader(real):

        def get_batch(self, indices):
            if indices[0] >= 16:
                raise decord.DECORDError(
                    '[01:02:03] /src/video_reader.cc:1: corrupt packet')
            return real.get_batch(self, indices)

    monkeypatch.setattr(decord, 'VideoReader', ShortReader)
    assert check_video(
        path, chunk=8) == (False, 'undecodable frame 16', 16,
                           '[01:02:03] /src/video_reader.cc:1: corrupt packet')


def test_truncated_faststart_source(tmp_path):
    whole = faststart_copy(
        video(tmp_path / 'v.mp4', ramp_video(48, 32)), tmp_path / 'fs.mp4')
    data = whole.read_bytes()
    assert data.find(b'moov') < data.find(b'mdat')
    cut = tmp_path / 'cut.mp4'
    cut.write_bytes(data[:int(len(data) * 0.8)])
    assert check_video(
        cut).reason == 'truncated (mp4 box runs past end of file)'
    result = prepare_one(
        (str(cut), 'cut.mp4', str(tmp_path / 'out' / 'cut.mp4'),
         EncodeSettings(short_side=32)))
    assert result.status == 'rejected'
    assert result.reason == 'source: truncated (mp4 box runs past end of file)'
    assert 'Invalid data' in result.detail
    assert not (tmp_path / 'out' / 'cut.mp4').exists()
    assert not (tmp_path / 'out' / 'cut.mp4.part').exists()


def test_verify_videos_cli(tmp_path, capsys):
    data = tmp_path / 'data'
    reasons = bad_videos(data / 'bad')
    video(data / 'ok' / 'a.mp4', ramp_video(16, 32))
    video(data / 'ok' / 'b.mp4', ramp_video(16, 32, seed=1))
    listfile = write_text(
        tmp_path / 'train_list.txt',
        'ok/a.mp4 3\nbad/empty.mp4 0\nbad/text.mp4 1\n\nok/b.mp4\n'
        'bad/half.mp4 2\nbad/gone.mp4 3\n')
    out = tmp_path / 'verified'
    summary = load_tool('data/verify_videos').main(
        [str(listfile), '--data-prefix',
         str(data), '--out-dir',
         str(out)])
    assert (summary['total'], summary['ok'], summary['rejected']) == (6, 2, 4)
    assert read_lines(out / 'train_list.txt') == ['ok/a.mp4 3', 'ok/b.mp4']
    rejected = dict(
        ln.split('\t') for ln in read_lines(out / 'train_list_rejected.txt'))
    assert set(rejected) == {f'bad/{n}' for n in reasons}
    for name, reason in reasons.items():
        assert rejected[f'bad/{name}'].startswith(reason)
    printed = capsys.readouterr().out
    assert '2 good, 4 rejected' in printed and 'decoded' not in printed
    assert '1  truncated (mp4 box runs past end of file)' in printed


# --- prepare_videos
# ---------------------------------------------------------------------


@pytest.mark.parametrize('size,short,expected', [((320, 240), 128, (170, 128)),
                                                 ((240, 320), 128, (128, 170)),
                                                 ((96, 64), 40, (60, 40)),
                                                 ((101, 57), 33, (58, 34))])
def test_output_size(size, short, expected):
    assert output_size(*size, short) == expected


def test_prepare_videos_short_gop_and_resume(tmp_path, capsys):
    src, out = tmp_path / 'src', tmp_path / 'out'
    frames = np.concatenate(
        [ramp_video(48, 96)[:, :64],
         ramp_video(40, 96)[:, :64]])
    video(src / 'cls' / 'long.mp4', frames[:48], gop=250)
    video(src / 'other.mp4', frames[48:], gop=7)
    assert keyframe_positions(src / 'cls' / 'long.mp4') == ([0], 48)
    prepare = load_tool('data/prepare_videos')
    argv = [
        str(src),
        str(out), '--short-side', '40', '--gop', '16', '--workers', '1'
    ]
    first = prepare.main(argv)
    assert (first['done'], first['skipped'], first['rejected']) == (2, 0, 0)
    for name, n in (('cls/long.mp4', 48), ('other.mp4', 40)):
        keys, count = keyframe_positions(out / name)
        assert abs(count - n) <= 1
        assert keys == list(range(0, count, 16))
        vr = decord.VideoReader(str(out / name))
        assert abs(len(vr) - n) <= 1 and vr[0].shape == (40, 60, 3)
    assert sorted(p.name for p in out.rglob('*') if p.is_file()) == [
        'long.mp4', 'other.mp4', 'prepare.json', 'rejected.txt'
    ]
    assert read_lines(out / 'rejected.txt') == []
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob('*.mp4')}
    second = prepare.main(argv)
    assert (second['done'], second['skipped'], second['rejected']) == (0, 2, 0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob('*.mp4')} == mtimes
    assert second['bytes_out'] == sum(p.stat().st_size for p in mtimes)
    assert 'done 0, skipped 2' in capsys.readouterr().out


def test_prepare_videos_list_fps_and_rejects(tmp_path):
    data, out = tmp_path / 'data', tmp_path / 'out'
    bad_videos(data / 'bad')
    video(data / 'cls' / 'v1.avi', ramp_video(50, 64), gop=250)
    listfile = write_text(
        tmp_path / 'val.txt', 'cls/v1.avi 7\nbad/text.mp4 1\n'
        'bad/half.mp4 2\nbad/gone.mp4 3\n')
    summary = load_tool('data/prepare_videos').main([
        str(listfile),
        str(out), '--data-prefix',
        str(data), '--short-side', '32', '--fps', '10', '--gop', '4'
    ])
    assert (summary['done'], summary['skipped'], summary['rejected']) == (1, 0,
                                                                          3)
    assert read_lines(out / 'val.txt') == ['cls/v1.mp4 7']
    assert check_video(out / 'cls' / 'v1.mp4')[:3] == (True, '', 20)
    keys, count = keyframe_positions(out / 'cls' / 'v1.mp4')
    assert (keys, count) == ([0, 4, 8, 12, 16], 20)
    rejected = dict(ln.split('\t') for ln in read_lines(out / 'rejected.txt'))
    assert rejected == {
        'bad/text.mp4': 'source: not a video (unknown file header)',
        'bad/half.mp4': 'source: truncated (mp4 box runs past end of file)',
        'bad/gone.mp4': 'missing'
    }
    assert not list(out.rglob('*.part'))


def test_prepare_videos_refuses_to_overwrite_sources(tmp_path):
    video(tmp_path / 'a.mp4', ramp_video(16, 32))
    with pytest.raises(ValueError, match='overwrite its source'):
        prepare_videos(str(tmp_path), str(tmp_path))
    assert check_video(tmp_path / 'a.mp4').ok
