"""Re-encode videos to short-GOP H.264 for fast random access, verified and
resumable."""
import math
import os
import os.path as osp
from fractions import Fraction
from functools import partial
from typing import List, NamedTuple, Optional, Tuple

from .check import (check_video, file_problem, map_progress,
                    open_failure_reason, read_list, short_error, write_lines)

VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.flv', '.mpg',
              '.mpeg', '.3gp', '.wmv', '.ogv')
PART_SUFFIX = '.part'


class SourceError(Exception):
    """The source video is broken; the message is the reason."""


class EncodeSettings(NamedTuple):
    """Output short side, fps (None: keep), keyframe interval, x264 CRF and
    preset."""
    short_side: int = 128
    fps: Optional[float] = None
    gop: int = 16
    crf: int = 23
    preset: str = 'medium'


class Result(NamedTuple):
    """``status`` is 'done', 'skipped' or 'rejected'; ``name`` the source as
    listed."""
    status: str
    name: str
    reason: str = ''
    bytes_in: int = 0
    bytes_out: int = 0


def output_size(width: int, height: int, short_side: int) -> Tuple[int, int]:
    """(W, H) with the short side ``short_side``, the aspect kept, both
    even."""

    def even(x):
        return max(2, 2 * int(x / 2 + 0.5))

    scale = short_side / min(width, height)
    return even(width * scale), even(height * scale)


def x264_options(gop: int, crf: int, preset: str) -> dict:
    """libx264 options: a keyframe exactly every ``gop`` frames, no
    B-frames."""
    return {
        'crf': str(crf),
        'preset': preset,
        'tune': 'fastdecode',
        'bf': '0',
        'g': str(gop),
        'x264-params': f'keyint={gop}:min-keyint={gop}:scenecut=0',
        'threads': '1'
    }


def _decode(container, stream):
    """Frames of ``stream``; a decoding error becomes ``SourceError``."""
    done = 0
    try:
        for frame in container.decode(stream):
            done += 1
            yield frame
    except Exception as e:
        raise SourceError(f'decoded {done} of {stream.frames or "?"} frames: '
                          f'{short_error(e)}')


def transcode_video(src, dst, settings: EncodeSettings = EncodeSettings()
                    ) -> Tuple[int, int]:
    """Re-encode ``src`` to MP4 ``dst``; returns (source frames decoded, frames
    written).

    Video only, H.264 yuv420p, square pixels. With ``settings.fps`` the frames
    are
    resampled by index (source frame ``floor(k * src_fps / fps)`` for output
    frame
    ``k``), which assumes a constant source frame rate. Raises ``SourceError``.
    """
    import av
    from av.video.frame import PictureType
    try:
        ic = av.open(str(src))
    except Exception as e:
        raise SourceError(open_failure_reason(src, e))
    with ic:
        if not ic.streams.video:
            raise SourceError('no video stream')
        ist = ic.streams.video[0]
        ist.codec_context.thread_count = 1
        claimed = ist.frames
        src_rate = ist.average_rate or ist.guessed_rate or Fraction(25)
        rate = Fraction(
            settings.fps).limit_denominator(1001) if settings.fps else src_rate
        sar = ist.codec_context.sample_aspect_ratio
        width = ist.codec_context.width * (sar if sar else 1)
        w, h = output_size(width, ist.codec_context.height,
                           settings.short_side)
        os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
        with av.open(str(dst), 'w', format='mp4') as oc:
            ost = oc.add_stream('libx264', rate=rate)
            ost.width, ost.height, ost.pix_fmt = w, h, 'yuv420p'
            ost.codec_context.gop_size = settings.gop
            ost.codec_context.options = x264_options(settings.gop,
                                                     settings.crf,
                                                     settings.preset)
            decoded = written = 0
            for decoded, frame in enumerate(_decode(ic, ist), 1):
                repeat = math.ceil(decoded * rate / src_rate) - written
                if repeat <= 0:
                    continue
                out = frame.reformat(
                    width=w, height=h, format='yuv420p', interpolation='AREA')
                # else the source's keyframes force IDRs
                out.pict_type = PictureType.NONE
                for _ in range(repeat):
                    out.pts, out.time_base = written, 1 / rate
                    written += 1
                    oc.mux(ost.encode(out))
            if decoded == 0:
                raise SourceError('no frames')
            if claimed and decoded < claimed - 1:
                raise SourceError(f'decoded {decoded} of {claimed} frames')
            oc.mux(ost.encode())
    return decoded, written


def _remove(path):
    if osp.exists(path):
        os.remove(path)


def prepare_one(task, decoder: str = 'decord') -> Result:
    """Transcode one ``(src_path, src_name, dst_path, settings)``; skip if
    already done.

    The output is written as ``dst + '.part'``, checked with ``check_video``
    (decoded with ``decoder``)
    (its frame
    count must match the frames written within one) and only then renamed to
    ``dst``.
    """
    src, name, dst, settings = task
    problem = file_problem(src)
    if problem:
        return Result('rejected', name, problem)
    bytes_in = osp.getsize(src)
    if osp.exists(dst):
        if check_video(dst, decoder=decoder).ok:
            return Result('skipped', name, '', bytes_in, osp.getsize(dst))
        _remove(dst)
    part = dst + PART_SUFFIX
    try:
        _, written = transcode_video(src, part, settings)
    except SourceError as e:
        _remove(part)
        return Result('rejected', name, f'source: {e}')
    except Exception as e:
        _remove(part)
        return Result('rejected', name, f'encode failed: {short_error(e)}')
    check = check_video(part, decoder=decoder)
    if not check.ok or abs(check.num_frames - written) > 1:
        _remove(part)
        why = check.reason or f'{check.num_frames} frames, expected {written}'
        return Result('rejected', name, f'output: {why}')
    os.replace(part, dst)
    return Result('done', name, '', bytes_in, osp.getsize(dst))


def mp4_name(rel_path: str) -> str:
    """Relative output path: ``rel_path`` with a ``.mp4`` extension, anchor
    dropped."""
    rel = osp.splitdrive(rel_path)[1].lstrip('/\\')
    return osp.splitext(rel)[0] + '.mp4'


def find_videos(src_dir, exclude: Optional[str] = None) -> List[str]:
    """Sorted paths relative to ``src_dir`` of files with a video extension."""
    found = []
    exclude = osp.abspath(exclude) if exclude else None
    for root, dirs, files in os.walk(src_dir):
        dirs[:] = sorted(
            d for d in dirs if osp.abspath(osp.join(root, d)) != exclude)
        found += [
            osp.relpath(osp.join(root, f), src_dir) for f in files if
            osp.splitext(f)[1].lower() in VIDEO_EXTS and not f.startswith('.')
        ]
    return sorted(found)


def _merge_rejected(path, processed: set, new: List[Tuple[str, str]]):
    """Rewrite ``path``: old entries not processed in this run, then this
    run's."""
    old = []
    if osp.exists(path):
        old = [
            ln.split('\t', 1) for ln in open(path).read().splitlines()
            if '\t' in ln
        ]
    rows = [(p, r) for p, r in old if p not in processed] + new
    write_lines(path, (f'{p}\t{r}' for p, r in rows))


def prepare_videos(source,
                   out_dir,
                   data_prefix: str = '',
                   settings: EncodeSettings = EncodeSettings(),
                   workers: int = 1,
                   decoder: str = 'decord') -> dict:
    """Transcode a folder (recursively) or the videos of an MMAction2 list into
    ``out_dir``.

    Outputs mirror the source's relative paths with ``.mp4``. Rejected sources
    are
    merged into ``out_dir/rejected.txt`` (``path<TAB>reason``). For a list
    input the
    list with new paths (good videos only) is written to ``out_dir/<list
    name>``.
    Returns counts ``done``, ``skipped``, ``rejected`` and
    ``bytes_in``/``bytes_out``
    (over done and skipped videos), plus ``results``.
    """
    if osp.isdir(source):
        names = find_videos(source, exclude=out_dir)
        entries = [(n, None) for n in names]
        root = source
    else:
        entries = read_list(source)
        root = data_prefix
        out_list = osp.join(out_dir, osp.basename(source))
        if osp.abspath(out_list) == osp.abspath(source):
            raise ValueError(
                f'OUT_DIR would overwrite the input list {source}')
    tasks, outputs, rejected = [], {}, []
    for name, _ in entries:
        dst = osp.join(out_dir, mp4_name(name))
        if dst in outputs:
            if outputs[dst] != name:
                rejected.append(
                    Result('rejected', name,
                           f'output clashes with {outputs[dst]}'))
            continue
        outputs[dst] = name
        src = osp.join(root, name)
        if osp.abspath(src) == osp.abspath(dst):
            raise ValueError(
                f'output {dst} would overwrite its source: use another OUT_DIR'
            )
        tasks.append((src, name, dst, settings))
    results = map_progress(
        partial(prepare_one, decoder=decoder), tasks, workers) + rejected
    _merge_rejected(
        osp.join(out_dir, 'rejected.txt'), {n
                                            for n, _ in entries},
        [(r.name, r.reason) for r in results if r.status == 'rejected'])
    if not osp.isdir(source):
        good = {r.name for r in results if r.status != 'rejected'}
        write_lines(out_list, (mp4_name(n) + line.lstrip()[len(n):]
                               for n, line in entries if n in good))
    summary = {
        k: sum(r.status == k for r in results)
        for k in ('done', 'skipped', 'rejected')
    }
    summary.update(
        bytes_in=sum(r.bytes_in for r in results),
        bytes_out=sum(r.bytes_out for r in results),
        results=results)
    return summary
