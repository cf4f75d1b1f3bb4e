"""The videos a benchmark reads: listing, annotation files, keyframes."""
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np


def list_videos(source: str, data_prefix: str = '') -> List[str]:
    """Absolute paths of a folder's videos (recursive, sorted) or of an
    MMAction2 list's entries (under ``data_prefix``)."""
    from ascnet_mm.video_io.check import read_list
    from ascnet_mm.video_io.prepare import find_videos
    if osp.isdir(source):
        paths = [osp.join(source, p) for p in find_videos(source)]
    elif osp.isfile(source):
        paths = [osp.join(data_prefix, p) for p, _ in read_list(source)]
    else:
        raise FileNotFoundError(f'no such folder or list: {source}')
    if not paths:
        raise ValueError(f'no videos in {source}')
    return [osp.abspath(p) for p in paths]


def write_ann_file(paths: Sequence[str], path: str) -> str:
    """An MMAction2 list (``path 0`` per line) of absolute paths."""
    with open(path, 'w') as f:
        f.writelines(f'{p} 0\n' for p in paths)
    return path


def keyframes(path) -> Tuple[str, np.ndarray]:
    """('WxH', (F,) bool: is each packet with data a keyframe) of a video,
    from its packets (no decoding)."""
    import av
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        size = f'{stream.codec_context.width}x{stream.codec_context.height}'
        flags = [p.is_keyframe for p in c.demux(stream) if p.size]
    return size, np.asarray(flags, dtype=bool)


def keyframe_interval(path) -> Tuple[int, float]:
    """(frames, mean frames between keyframes; the frame count if there is
    only one keyframe)."""
    _, flags = keyframes(path)
    where = np.flatnonzero(flags)
    if len(where) < 2:
        return len(flags), float(len(flags))
    return len(flags), float(np.diff(where).mean())


def describe_videos(paths: Sequence[str], probe: int = 4) -> str:
    """'WxH, keyframe every K' from the first ``probe`` videos."""
    sizes, gaps = set(), []
    for p in paths[:probe]:
        size, flags = keyframes(p)
        sizes.add(size)
        gaps += list(np.diff(np.flatnonzero(flags)))
    gop = f'keyframe every {np.mean(gaps):.0f}' if gaps else 'one keyframe'
    return f'{"/".join(sorted(sizes))}, {gop}'
