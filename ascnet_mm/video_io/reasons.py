"""Short, human reasons why a video cannot be read.

Decoders fail with text such as ``Error reading 16046 bytes`` or ``Check
failed: from_size == to_size (3072 vs. 2304)``. :func:`failure_reason` maps
such errors, with a look at the file itself, to a few kinds:

- ``missing``, ``empty file``, ``not a video (unknown file header)``,
  ``truncated (mp4 box runs past end of file)``;
- ``cannot open (damaged or unsupported container)``, ``no video stream``;
- ``undecodable frame N`` (``undecodable frame`` when N is not known);
- ``width 24 px not decodable by decord 0.6; re-encode with
  prepare_videos.py``;
- anything else: ``<ErrorType>: <first line>`` (an error that did not come
  from a decoder, e.g. a pipeline bug, keeps its text).

The tools add ``decoded N of M frames`` (fewer frames than the container
claims), ``no frames``, ``timeout after Ns`` and ``decoder crashed``. Callers
log the raw error text at debug level only.
"""
import os.path as osp
import re
import struct
from typing import Optional

# decord 0.6 returns 4-channel frames and fails ``get_batch`` for videos of
# these widths (dmlc/decord#336; we scanned even widths 16-256).
DECORD_BAD_WIDTHS = (16, 24, 48, 72)

# Leading bytes of the containers we expect: (offset, magic).
_SIGNATURES = ((4, b'ftyp'), (4, b'moov'), (4, b'mdat'), (4, b'free'),
               (4, b'wide'), (0, b'RIFF'), (0, b'\x1a\x45\xdf\xa3'),
               (0, b'FLV'), (0, b'OggS'), (0, b'\x00\x00\x01\xba'),
               (0, b'\x00\x00\x01\xb3'), (0, b'\x30\x26\xb2\x75'))
_MP4_HEADS = (b'ftyp', b'moov', b'mdat', b'free', b'wide')
# decord / FFmpeg texts of a container that did not open, of a frame that
# did not decode, of decord's 4-channel frames.
_OPEN_ERRORS = ('Error reading', 'ERROR opening', 'Invalid data found',
                'moov atom not found')
_DECODE_ERRORS = ('avcodec_send_packet', 'Error sending packet',
                  'Error getting frame', 'avcodec_receive_frame',
                  'Invalid NAL unit', 'error while decoding')
_CHANNEL_ERROR = 'from_size == to_size'


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


def header_problem(path) -> Optional[str]:
    """'not a video (...)' / 'truncated (...)' from the file's bytes, or
    None when the header looks like a video container."""
    with open(path, 'rb') as f:
        head = f.read(12)
    if not any(head[o:o + len(m)] == m for o, m in _SIGNATURES):
        return 'not a video (unknown file header)'
    if head[4:8] in _MP4_HEADS and _mp4_truncated(path):
        return 'truncated (mp4 box runs past end of file)'
    return None


def short_error(error: Exception) -> str:
    """First line of an exception without decord's ``[time] file.cc:N:``
    prefix."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ''
    text = re.sub(r'^(\[[\d:]+\] \S+:\d+: )+', '', text)
    return text or type(error).__name__


def video_width(path) -> Optional[int]:
    """Coded width of the first video stream (PyAV), None if unknown."""
    try:
        import av
        with av.open(str(path)) as container:
            return container.streams.video[0].codec_context.width
    except Exception:
        return None


def decord_width_problem(width: Optional[int],
                         remedy: str = 're-encode with prepare_videos.py'
                         ) -> Optional[str]:
    """The reason for a width decord 0.6 cannot decode, else None."""
    if width in DECORD_BAD_WIDTHS:
        return f'width {width} px not decodable by decord 0.6; {remedy}'
    return None


def open_failure_reason(path, error: Exception) -> str:
    """Why a container would not open: the file, its header, else
    'cannot open (...)'."""
    return (file_problem(path) or header_problem(path)
            or 'cannot open (damaged or unsupported container)')


def failure_reason(path, error: Exception, frame: Optional[int] = None) -> str:
    """A short reason for ``error``, raised while reading ``path``.

    Args:
        path: the local video file (a URL skips the file checks).
        error: what the decoder (or a pipeline step) raised.
        frame: index of the frame that failed to decode, when known (the
            container opened).
    """
    local = path is not None and '://' not in str(path)
    problem = (file_problem(path) or header_problem(path)) if local else None
    if problem:
        return problem
    text = str(error)
    if _CHANNEL_ERROR in text:
        width = video_width(path) if local else None
        return decord_width_problem(width) or (
            'frames of an unexpected size (decord 0.6 with a width of '
            f'{width or "?"} px); re-encode with prepare_videos.py')
    if frame is not None:
        return f'undecodable frame {frame}'
    if 'cannot find video stream' in text:
        return 'no video stream'
    if any(s in text for s in _OPEN_ERRORS):
        return 'cannot open (damaged or unsupported container)'
    if any(s in text for s in _DECODE_ERRORS) or \
            type(error).__name__ == 'DECORDError':
        return 'undecodable frame'
    return f'{type(error).__name__}: {short_error(error)}'
