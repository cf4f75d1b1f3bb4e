"""Data tools under faults: short skip reasons, rotated sources, reruns with
other settings, per-video timeouts and resumable verification."""
import json
from pathlib import Path

import av
import decord
import numpy as np
import pytest
from helpers import (faulty_check, faulty_prepare, load_tool, ramp_video,
                     write_video)

from ascnet_mm.datasets.annotation_lists import list_folder
from ascnet_mm.utils import TaskFailure, timed_imap
from ascnet_mm.video_io import (check_video, failure_reason, prepare_videos,
                                verify_list)
from ascnet_mm.video_io.prepare_record import SettingsChanged

PREPARE = load_tool('data/prepare_videos')
VERIFY = load_tool('data/verify_videos')


def gradient_video(num_frames=8, height=32, width=64):
    """(T, H, W, 3) frames: red grows left to right, green top to bottom, a
    white block in the top-left corner; every rotation looks different."""
    y, x = np.mgrid[0:height, 0:width]
    frame = np.stack([x * 255 // width, y * 255 // height, 0 * x + 64], -1)
    frame[:height // 4, :width // 4] = 255
    return np.repeat(frame[None].astype(np.uint8), num_frames, 0)


def decord_frames(path):
    vr = decord.VideoReader(str(path))
    return vr.get_batch(list(range(len(vr)))).asnumpy().astype(np.float32)


def display_rotation_of(path):
    with av.open(str(path)) as c:
        frame = next(c.decode(c.streams.video[0]))
        names = [getattr(d.type, 'name', '') for d in frame.side_data or ()]
        return frame.rotation, 'DISPLAYMATRIX' in names


def rotated(degrees, hflip=False):

    def setup(stream):
        stream.set_display_rotation(degrees, hflip=hflip)

    return setup


def rotate_tag(stream):
    stream.metadata['rotate'] = '90'


def test_failure_reasons_are_short_kinds(tmp_path):
    (tmp_path / 'empty.mp4').write_bytes(b'')
    (tmp_path / 'text.mp4').write_text('not a video\n' * 20)
    whole = Path(write_video(tmp_path / 'v.mp4', ramp_video(24, 32)))
    data = whole.read_bytes()
    (tmp_path / 'half.mp4').write_bytes(data[:len(data) // 2])
    narrow = write_video(tmp_path / 'w24.mp4', ramp_video(4, 32)[:, :, :24])
    err = RuntimeError('Error reading 16046 bytes')
    assert failure_reason(tmp_path / 'gone.mp4', err) == 'missing'
    assert failure_reason(tmp_path / 'empty.mp4', err) == 'empty file'
    assert failure_reason(tmp_path / 'text.mp4',
                          err) == 'not a video (unknown file header)'
    assert failure_reason(tmp_path / 'half.mp4',
                          err) == 'truncated (mp4 box runs past end of file)'
    assert failure_reason(
        whole, err) == 'cannot open (damaged or unsupported container)'
    channel = decord.DECORDError(
        '[23:38:19] /src/ndarray.cc:171: Check failed: from_size == to_size '
        '(3072 vs. 2304) DECORDArrayCopyFromTo: The size must exactly match')
    assert failure_reason(
        narrow,
        channel) == ('width 24 px not decodable by decord 0.6; re-encode with '
                     'prepare_videos.py')
    packet = decord.DECORDError(
        '[1:2:3] /src/threaded_decoder.cc:292: Check failed: '
        'avcodec_send_packet(dec_ctx_.get(), pkt.get()) >= 0')
    assert failure_reason(whole, packet) == 'undecodable frame'
    assert failure_reason(whole, packet, 7) == 'undecodable frame 7'
    assert failure_reason(whole, KeyError('imgs')) == "KeyError: 'imgs'"
    # decord cannot decode that width: check_video says so, not raw text
    result = check_video(narrow)
    assert not result.ok and result.reason.startswith('width 24 px')
    assert 'from_size' in result.detail


@pytest.mark.parametrize('name, setup, turn', [
    ('ccw90.mp4', rotated(90), 90),
    ('cw90.mp4', rotated(-90), 270),
    ('half_turn.mp4', rotated(180), 180),
    ('tagged.mkv', rotate_tag, 270),
])
def test_prepare_applies_the_display_rotation(tmp_path, name, setup, turn):
    src = write_video(
        tmp_path / 'src' / name, gradient_video(), gop=4, setup_stream=setup)
    source_view = decord_frames(src)  # decord rotates these sources
    assert source_view.shape[1:3] == ((64, 32) if turn % 180 else (32, 64))
    unrotated = np.rot90(gradient_video(1), turn // 90, axes=(1, 2))
    assert np.abs(source_view[:1] - unrotated).mean() < 6
    s = PREPARE.main(
        [str(tmp_path / 'src'),
         str(tmp_path / 'out'), '--short-side', '32'])
    assert (s['done'], s['rejected']) == (1, 0)
    out = tmp_path / 'out' / (Path(name).stem + '.mp4')
    copy_view = decord_frames(out)
    assert copy_view.shape == source_view.shape
    assert np.abs(copy_view - source_view).mean() < 6
    assert display_rotation_of(out) == (0, False)  # no rotation written


def test_prepare_rejects_a_mirrored_source_and_a_decord_width(tmp_path):
    write_video(
        tmp_path / 'src' / 'mirror.mp4',
        gradient_video(),
        setup_stream=rotated(0, hflip=True))
    write_video(tmp_path / 'src' / 'square.mp4', ramp_video(8, 32))
    s = PREPARE.main(
        [str(tmp_path / 'src'),
         str(tmp_path / 'out'), '--short-side', '24'])
    assert s['rejected'] == 2
    rejected = dict(
        ln.split('\t')
        for ln in (tmp_path / 'out' / 'rejected.txt').read_text().splitlines())
    assert rejected == {
        'mirror.mp4':
        'source: the display matrix mirrors the picture (a '
        'flip), which is not supported',
        'square.mp4':
        'output: width 24 px not decodable by decord 0.6; '
        'choose another --short-side'
    }


def test_prepare_records_settings_and_refuses_a_change(tmp_path, capsys):
    src, out = tmp_path / 'src', tmp_path / 'out'
    for i in range(2):
        write_video(src / f'v{i}.mp4', ramp_video(12, 64, seed=i))
    assert PREPARE.main([str(src), str(out), '--short-side', '32'])['done'] \
        == 2
    record = json.loads((out / 'prepare.json').read_text())
    assert record['settings'] == dict(
        short_side=32,
        fps=None,
        gop=16,
        crf=23,
        preset='medium',
        format_version=2)
    assert record['tool'] == 'tools/data/prepare_videos.py'
    mtimes = {p: p.stat().st_mtime_ns for p in out.glob('*.mp4')}
    new = [str(src), str(out), '--short-side', '64', '--gop', '8']
    with pytest.raises(SystemExit) as err:
        PREPARE.main(new)
    msg = str(err.value)
    assert 'short_side=32' in msg and 'short_side=64' in msg
    assert 'gop 16 -> 8' in msg and '--redo-on-change' in msg
    assert {p: p.stat().st_mtime_ns for p in out.glob('*.mp4')} == mtimes
    # redo: everything re-encoded with the new settings, then recorded
    s = PREPARE.main(new + ['--redo-on-change'])
    assert (s['done'], s['skipped']) == (2, 0)
    assert decord.VideoReader(str(out / 'v0.mp4'))[0].shape == (64, 64, 3)
    assert json.loads(
        (out / 'prepare.json').read_text())['settings']['gop'] == 8
    # an output of the old settings left by a killed redo is redone even
    # without the flag: each output carries its own record
    PREPARE.main([str(src), str(tmp_path / 'old'), '--short-side', '32'])
    (out / 'v1.mp4').write_bytes((tmp_path / 'old' / 'v1.mp4').read_bytes())
    s = PREPARE.main(new)
    assert (s['done'], s['skipped']) == (1, 1)


def test_prepare_refuses_outputs_of_unknown_settings(tmp_path):
    src, out = tmp_path / 'src', tmp_path / 'out'
    write_video(src / 'v.mp4', ramp_video(12, 32))
    write_video(out / 'v.mp4', ramp_video(12, 32))  # no prepare.json
    with pytest.raises(SettingsChanged, match='no prepare.json'):
        prepare_videos(str(src), str(out))


def test_verify_writes_as_it_goes_and_resumes(tmp_path, capsys):
    data = tmp_path / 'data'
    for name in 'abcd':
        write_video(data / f'{name}.mp4', ramp_video(8, 32))
    (data / 'bad.mp4').write_bytes(b'')
    listfile = tmp_path / 'list.txt'
    listfile.write_text('a.mp4 0\nbad.mp4 1\nb.mp4 1\nc.mp4 2\nd.mp4 3\n')
    out = tmp_path / 'out'
    checked = []

    def killed_at_c(path):
        if path.endswith('c.mp4'):
            raise KeyboardInterrupt
        checked.append(Path(path).name)
        return check_video(path)

    with pytest.raises(KeyboardInterrupt):
        verify_list(listfile, data, out, timeout=None, check=killed_at_c)
    assert (out / 'list.txt').read_text() == 'a.mp4 0\nb.mp4 1\n'
    assert (out / 'list_rejected.txt').read_text() == 'bad.mp4\tempty file\n'
    # a partial line left by a kill is dropped, its video checked again
    with open(out / 'list.txt', 'a') as f:
        f.write('c.mp')
    checked.clear()
    s = verify_list(
        listfile,
        data,
        out,
        timeout=None,
        resume=True,
        check=lambda p: checked.append(Path(p).name) or check_video(p))
    assert checked == ['c.mp4', 'd.mp4']
    assert (s['total'], s['ok'], s['rejected'], s['resumed']) == (5, 4, 1, 3)
    assert (out / 'list.txt').read_text().splitlines() == [
        'a.mp4 0', 'b.mp4 1', 'c.mp4 2', 'd.mp4 3'
    ]
    s = VERIFY.main([
        str(listfile), '--data-prefix',
        str(data), '--out-dir',
        str(out), '--resume', '--timeout', '0'
    ])
    assert s['resumed'] == 5
    assert 'checked 5 videos (5 from the earlier run): 4 good' in \
        capsys.readouterr().out


def test_timed_imap_in_process_keeps_order_and_errors():
    results = list(timed_imap(int, ['1', 'x', '3']))
    assert [r for _, r in results][::2] == [1, 3]
    failure = results[1][1]
    assert isinstance(failure, TaskFailure) and failure.kind == 'error'
    assert failure.reason.startswith('ValueError: invalid literal')


@pytest.mark.slow
def test_verify_survives_a_hanging_and_a_crashing_decoder(tmp_path):
    data = tmp_path / 'data'
    for name in ('a', 'hang', 'crash', 'b'):
        write_video(data / f'{name}.mp4', ramp_video(8, 32))
    listfile = tmp_path / 'list.txt'
    listfile.write_text('a.mp4\nhang.mp4\ncrash.mp4\nb.mp4\n')
    s = verify_list(
        listfile,
        data,
        tmp_path / 'out',
        workers=1,
        timeout=3,
        check=faulty_check)
    assert (s['ok'], s['rejected']) == (2, 2)
    assert (tmp_path / 'out' / 'list.txt').read_text() == 'a.mp4\nb.mp4\n'
    assert (tmp_path / 'out' / 'list_rejected.txt').read_text() == (
        'hang.mp4\ttimeout after 3s\n'
        'crash.mp4\tdecoder crashed (worker exit code 134)\n')


def faulty_folder(root):
    for name in ('a', 'hang', 'crash', 'b'):
        write_video(root / f'{name}.mp4', ramp_video(8, 32))
    return root


@pytest.mark.slow
def test_build_lists_survives_a_hanging_and_a_crashing_decoder(tmp_path):
    data = faulty_folder(tmp_path / 'data')
    report = list_folder(
        str(data), str(tmp_path / 'lists'), timeout=3, check=faulty_check)
    assert report['lists'] == {'pretrain.txt': 2}
    assert (tmp_path / 'lists' / 'pretrain.txt').read_text() == \
        'a.mp4\nb.mp4\n'
    assert (tmp_path / 'lists' / 'unreadable.txt').read_text() == (
        'crash.mp4\tdecoder crashed (worker exit code 134)\n'
        'hang.mp4\ttimeout after 3s\n')


@pytest.mark.slow
def test_prepare_survives_a_hanging_and_a_crashing_source(tmp_path):
    data = faulty_folder(tmp_path / 'data')
    out = tmp_path / 'out'
    s = prepare_videos(
        str(data), str(out), workers=2, timeout=5, prepare=faulty_prepare)
    assert (s['done'], s['rejected']) == (2, 2)
    left = sorted(p.name for p in out.iterdir() if p.suffix != '.json')
    assert left == ['a.mp4', 'b.mp4', 'rejected.txt']  # no partial output
    assert sorted((out / 'rejected.txt').read_text().splitlines()) == [
        'crash.mp4\tdecoder crashed (worker exit code 134)',
        'hang.mp4\ttimeout after 5s'
    ]
