"""Decode-every-frame video check and MMAction2 list verification."""
import os
import os.path as osp
import re
import struct
from collections import Counter
from functools import partial
from typing import Callable, Iterable, List, NamedTuple, Optional, Tuple

from ..utils.parallel import parallel_map
from .readers import DECODERS, open_video


class VideoCheck(NamedTuple):
    """``ok``; ``reason`` ('' when ok); ``num_frames`` decoded."""
    ok: bool
    reason: str
    num_frames: int


# Leading bytes of the containers we expect: (offset, magic).
_SIGNATURES = ((4, b'ftyp'), (4, b'moov'), (4, b'mdat'), (4, b'free'),
               (4, b'wide'), (0, b'RIFF'), (0, b'\x1a\x45\xdf\xa3'),
               (0, b'FLV'), (0, b'OggS'), (0, b'\x00\x00\x01\xba'),
               (0, b'\x00\x00\x01\xb3'), (0, b'\x30\x26\xb2\x75'))
_MP4_HEADS = (b'ftyp', b'moov', b'mdat', b'free', b'wide')


def quiet_decoders():
    """Silence FFmpeg's per-file log lines inside decord and PyAV (those
    installed)."""
    try:
        import av.logging
        av.logging.set_level(None)
    except ImportError:
        pass
    try:
        import decord.logging
        decord.logging.set_level(decord.logging.QUIET)
    except ImportError:
        pass


def file_problem(path) -> Optional[str]:
    """'missing' / 'empty file' / None."""
    if not osp.isfile(path):
        return 'missing'
    if osp.getsize(path) == 0:
        return 'empty file'
    return None


def _mp4_truncated(path) -> bool:
    """True if a top-level MP4 box claims more bytes than the file has."""
    size, pos = osp.getsize(path), 0
    with open(path, 'rb') as f:
        while pos + 8 <= size:
            f.seek(pos)
            box_size, _ = struct.unpack('>I4s', f.read(8))
            if box_size == 1:
                box_size = struct.unpack('>Q', f.read(8))[0]
            elif box_size == 0:
                return False
            if box_size < 8:
                return False
            pos += box_size
    return pos != size


def open_failure_reason(path, error: Exception) -> str:
    """Explain why a container would not open (file header, then ``error``)."""
    with open(path, 'rb') as f:
        head = f.read(12)
    if not any(head[o:o + len(m)] == m for o, m in _SIGNATURES):
        return 'not a video (unknown file header)'
    if head[4:8] in _MP4_HEADS and _mp4_truncated(path):
        return 'truncated (mp4 box runs past end of file)'
    return f'cannot open: {short_error(error)}'


def short_error(error: Exception) -> str:
    """First line of an exception without decord's ``[time] file.cc:N:``
    prefix."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ''
    text = re.sub(r'^\[[\d:]+\] \S+:\d+: ', '', text)
    return text or type(error).__name__


def check_video(path,
                chunk: int = 32,
                num_threads: int = 1,
                decoder: str = 'decord') -> VideoCheck:
    """Decode every frame of ``path`` once with ``decoder`` ('decord' or
    'torchcodec'), in ``chunk``-frame batches.

    Fails on a missing or empty file, a file that does not open, no frames, a
    decode error, or fewer decoded frames than the reader's length claims.
    """
    problem = file_problem(path)
    if problem:
        return VideoCheck(False, problem, 0)
    try:
        vr = open_video(str(path), decoder, num_threads)
    except ImportError:
        raise
    except Exception as e:
        return VideoCheck(False, open_failure_reason(path, e), 0)
    total, done = len(vr), 0
    if total == 0:
        return VideoCheck(False, 'no frames', 0)
    try:
        for start in range(0, total, chunk):
            done += vr.get_batch(
                list(range(start, min(total, start + chunk)))).shape[0]
    except Exception as e:
        return VideoCheck(
            False, f'decoded {done} of {total} frames: {short_error(e)}', done)
    if done < total:
        return VideoCheck(False, f'decoded {done} of {total} frames', done)
    return VideoCheck(True, '', done)


def map_progress(func: Callable, tasks: list, workers: int = 1) -> list:
    """``[func(t) for t in tasks]`` in order, over ``workers`` processes, with
    a bar."""
    return parallel_map(
        func, tasks, workers, initializer=quiet_decoders, progress=True)


def add_decoder_argument(parser):
    """``--decoder {decord,torchcodec}`` for the data tools."""
    parser.add_argument(
        '--decoder',
        choices=DECODERS,
        default='decord',
        help='decoder that checks every frame (torchcodec: pip install '
        '"ascnet-mm[torchcodec]")')


def read_list(list_file) -> List[Tuple[str, str]]:
    """``(path, line)`` for each non-blank line of an MMAction2 list."""
    with open(list_file) as f:
        lines = [ln.rstrip('\r\n') for ln in f]
    return [(ln.split()[0], ln) for ln in lines if ln.strip()]


def write_lines(path, lines: Iterable[str]):
    """Write ``lines`` to ``path``, one a line."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.writelines(f'{ln}\n' for ln in lines)


def reason_kind(reason: str) -> str:
    """Group reasons for summaries: 'decoded 3 of 9 frames: x' -> 'decoded N of
    N frames'."""
    return re.sub(r'\b\d+\b', 'N', reason.split(':')[0])


def verify_list(list_file,
                data_prefix: str = '',
                out_dir: str = '.',
                workers: int = 1,
                decoder: str = 'decord') -> dict:
    """Check every video of ``list_file``; write the clean list and the
    rejects.

    Every frame is decoded with ``decoder`` ('decord' or 'torchcodec').
    Writes ``out_dir/<list name>`` (input lines of good videos) and
    ``out_dir/<list stem>_rejected.txt`` (``path<TAB>reason``). Returns
    ``dict(total, ok, rejected, reasons=Counter, clean_list, rejected_list)``.
    """
    name = osp.basename(list_file)
    clean_list = osp.join(out_dir, name)
    rejected_list = osp.join(out_dir, f'{osp.splitext(name)[0]}_rejected.txt')
    if osp.abspath(clean_list) == osp.abspath(list_file):
        raise ValueError(
            f'--out-dir would overwrite the input list {list_file}')
    entries = read_list(list_file)
    checks = map_progress(
        partial(check_video, decoder=decoder),
        [osp.join(data_prefix, p) for p, _ in entries], workers)
    good = [ln for (_, ln), c in zip(entries, checks) if c.ok]
    bad = [(p, c.reason) for (p, _), c in zip(entries, checks) if not c.ok]
    write_lines(clean_list, good)
    write_lines(rejected_list, (f'{p}\t{r}' for p, r in bad))
    return dict(
        total=len(entries),
        ok=len(good),
        rejected=len(bad),
        reasons=Counter(reason_kind(r) for _, r in bad),
        clean_list=clean_list,
        rejected_list=rejected_list)
