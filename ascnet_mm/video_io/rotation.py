"""Display rotation of a video stream, and rotating decoded frames by it.

Phones store portrait video as landscape frames plus a rotation: a display
matrix (MP4/MOV ``tkhd``, FFmpeg side data) or a ``rotate`` tag (older
muxers, Matroska). Players and decord 0.6 (for MP4 display matrices and
``rotate`` tags) show the frames rotated; a transcode that drops the
rotation without rotating the frames would change what training sees.
"""
import struct
from typing import Optional

_DISPLAYMATRIX = 'DISPLAYMATRIX'


class RotationError(ValueError):
    """The stream's orientation cannot be reproduced by a rotation (a
    mirrored display matrix, or an angle that is no multiple of 90)."""


def _matrix(frame) -> Optional[tuple]:
    """The 9 int32 of the frame's display matrix side data, or None."""
    for data in frame.side_data or ():
        if getattr(data.type, 'name', str(data.type)) == _DISPLAYMATRIX:
            raw = bytes(data)
            if len(raw) >= 36:
                return struct.unpack('=9i', raw[:36])
    return None


def _rotate_tag(stream) -> Optional[str]:
    """The stream's ``rotate`` metadata tag (any case), or None."""
    for key, value in stream.metadata.items():
        if key.lower() == 'rotate':
            return value
    return None


def _quarter_turns(degrees: float, source: str) -> int:
    """``degrees`` counter-clockwise as 0, 90, 180 or 270."""
    turns = round(degrees / 90)
    if abs(degrees - 90 * turns) > 1:
        raise RotationError(f'{source} rotates by {degrees:g} degrees, '
                            'which is no multiple of 90')
    return 90 * (turns % 4)


def display_rotation(stream, first_frame) -> int:
    """Counter-clockwise degrees (0, 90, 180, 270) by which the decoded
    frames must be turned to look as the video is meant to be displayed.

    Read from the display matrix of ``first_frame`` (PyAV >= 14 attaches the
    stream's matrix to every decoded frame) or, without one, from the
    stream's ``rotate`` tag (clockwise degrees).

    Raises:
        RotationError: a mirrored display matrix, or an angle that is no
            multiple of 90.
    """
    matrix = _matrix(first_frame)
    if matrix is not None:
        a, b, _, c, d = matrix[:5]
        if a * d - b * c < 0:
            raise RotationError('the display matrix mirrors the picture '
                                '(a flip), which is not supported')
        return _quarter_turns(first_frame.rotation, 'the display matrix')
    tag = _rotate_tag(stream)
    if tag in (None, '', '0'):
        return 0
    try:
        clockwise = float(tag)
    except ValueError:
        raise RotationError(f'unreadable rotate tag {tag!r}')
    return _quarter_turns(-clockwise, 'the rotate tag')


def rotate_yuv420p(frame, degrees: int):
    """A yuv420p ``frame`` turned ``degrees`` counter-clockwise (a multiple
    of 90); the frame itself when ``degrees`` is 0."""
    turns = degrees // 90 % 4
    if not turns:
        return frame
    import av
    import numpy as np
    w, h = frame.width, frame.height
    flat = frame.to_ndarray().reshape(-1)
    planes = (flat[:h * w].reshape(h, w),
              flat[h * w:h * w * 5 // 4].reshape(h // 2, w // 2),
              flat[h * w * 5 // 4:].reshape(h // 2, w // 2))
    planes = [np.rot90(p, turns) for p in planes]
    out_h, out_w = planes[0].shape
    packed = np.concatenate([p.ravel() for p in planes])
    return av.VideoFrame.from_ndarray(
        packed.reshape(out_h * 3 // 2, out_w), format='yuv420p')
