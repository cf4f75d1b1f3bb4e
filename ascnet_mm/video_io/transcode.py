"""Re-encode one video to short-GOP H.264 for fast random access."""
import itertools
import math
import os
import os.path as osp
from fractions import Fraction
from typing import NamedTuple, Optional, Tuple

from .prepare_record import output_tag
from .reasons import decord_width_problem, failure_reason, open_failure_reason
from .rotation import RotationError, display_rotation, rotate_yuv420p


class TranscodeError(Exception):
    """A video that cannot be prepared: ``reason`` (short), ``detail`` (the
    raw decoder text, for debug logs), ``part`` ('source' or 'output')."""
    part = 'source'

    def __init__(self, reason: str, detail: str = '') -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class SourceError(TranscodeError):
    """The source video is broken."""


class OutputError(TranscodeError):
    """The output would be unusable."""
    part = 'output'


class EncodeSettings(NamedTuple):
    """Output short side, fps (None: keep), keyframe interval, x264 CRF and
    preset."""
    short_side: int = 128
    fps: Optional[float] = None
    gop: int = 16
    crf: int = 23
    preset: str = 'medium'


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


def _decode(src, container, stream):
    """Frames of ``stream``; a decoding error becomes ``SourceError``."""
    done = 0
    try:
        for frame in container.decode(stream):
            done += 1
            yield frame
    except Exception as e:
        raise SourceError(failure_reason(src, e, done), str(e))


def _open_source(src):
    """PyAV container of ``src`` and its first video stream (one thread)."""
    import av
    try:
        ic = av.open(str(src))
    except Exception as e:
        raise SourceError(open_failure_reason(src, e), str(e))
    if not ic.streams.video:
        ic.close()
        raise SourceError('no video stream')
    stream = ic.streams.video[0]
    stream.codec_context.thread_count = 1
    return ic, stream


def _output_frames(frames, src_rate, rate, size, rotation):
    """(frame, copies) to encode: each source frame reformatted to ``size``
    (before rotation), turned by ``rotation`` and repeated as the rate
    conversion needs (0 copies: dropped)."""
    from av.video.frame import PictureType
    written = 0
    for decoded, frame in enumerate(frames, 1):
        repeat = math.ceil(decoded * rate / src_rate) - written
        if repeat <= 0:
            yield None, 0
            continue
        out = rotate_yuv420p(
            frame.reformat(
                width=size[0],
                height=size[1],
                format='yuv420p',
                interpolation='AREA'), rotation)
        out.pict_type = PictureType.NONE  # else source keyframes force IDRs
        written += repeat
        yield out, repeat


def transcode_video(src, dst, settings: EncodeSettings = EncodeSettings()
                    ) -> Tuple[int, int]:
    """Re-encode ``src`` to MP4 ``dst``; returns (source frames decoded,
    frames written).

    Video only, H.264 yuv420p, square pixels, the settings recorded in the
    ``comment`` tag. A display rotation (display matrix or ``rotate`` tag) is
    applied to the frames and not written, so the output shows what the
    source is meant to show. With ``settings.fps`` the frames are resampled
    by index (source frame ``floor(k * src_fps / fps)`` for output frame
    ``k``), which assumes a constant source frame rate.

    Raises:
        SourceError: the source is broken (or mirrored).
        OutputError: the output would be unusable (a width decord 0.6 cannot
            decode).
    """
    import av
    ic, ist = _open_source(src)
    with ic:
        claimed = ist.frames
        src_rate = ist.average_rate or ist.guessed_rate or Fraction(25)
        rate = Fraction(
            settings.fps).limit_denominator(1001) if settings.fps else src_rate
        frames = _decode(src, ic, ist)
        first = next(frames, None)
        if first is None:
            raise SourceError('no frames')
        try:
            rotation = display_rotation(ist, first)
        except RotationError as e:
            raise SourceError(str(e))
        sar = ist.codec_context.sample_aspect_ratio
        size = (ist.codec_context.width * (sar if sar else 1),
                ist.codec_context.height)
        turned = rotation in (90, 270)
        w, h = output_size(*(size[::-1] if turned else size),
                           settings.short_side)
        problem = decord_width_problem(w, 'choose another --short-side')
        if problem:
            raise OutputError(problem)
        os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
        with av.open(str(dst), 'w', format='mp4') as oc:
            oc.metadata['comment'] = output_tag(settings)
            ost = oc.add_stream('libx264', rate=rate)
            ost.width, ost.height, ost.pix_fmt = w, h, 'yuv420p'
            ost.codec_context.gop_size = settings.gop
            ost.codec_context.options = x264_options(settings.gop,
                                                     settings.crf,
                                                     settings.preset)
            decoded = written = 0
            size = (h, w) if turned else (w, h)  # before the rotation
            frames = itertools.chain([first], frames)
            for out, repeat in _output_frames(frames, src_rate, rate, size,
                                              rotation):
                decoded += 1
                for _ in range(repeat):
                    out.pts, out.time_base = written, 1 / rate
                    written += 1
                    oc.mux(ost.encode(out))
            if claimed and decoded < claimed - 1:
                raise SourceError(f'decoded {decoded} of {claimed} frames')
            oc.mux(ost.encode())
    return decoded, written
