"""Prepare training copies of many videos: transcode, verify, resume."""
import logging
import os
import os.path as osp
from functools import partial
from typing import Callable, List, NamedTuple, Optional, Tuple

from ..utils import TaskFailure
from .check import check_video, map_progress, read_list, write_lines
from .prepare_record import claim_out_dir, output_tag, read_output_tag
from .reasons import file_problem, short_error
from .transcode import EncodeSettings, TranscodeError, transcode_video

VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.flv', '.mpg',
              '.mpeg', '.3gp', '.wmv', '.ogv')
PART_SUFFIX = '.part'
logger = logging.getLogger(__name__)


class Result(NamedTuple):
    """``status`` is 'done', 'skipped' or 'rejected'; ``name`` the source as
    listed; ``detail`` the raw decoder text of a rejection (debug logs)."""
    status: str
    name: str
    reason: str = ''
    bytes_in: int = 0
    bytes_out: int = 0
    detail: str = ''


def _remove(path):
    if osp.exists(path):
        os.remove(path)


def prepare_one(task, decoder: str = 'decord') -> Result:
    """Transcode one ``(src_path, src_name, dst_path, settings)``; skip it if
    ``dst`` was made with the same settings and decodes.

    The output is written as ``dst + '.part'``, checked with ``check_video``
    (decoded with ``decoder``; its frame count must match the frames written
    within one) and only then renamed to ``dst``.
    """
    src, name, dst, settings = task
    problem = file_problem(src)
    if problem:
        return Result('rejected', name, problem)
    bytes_in = osp.getsize(src)
    if osp.exists(dst):
        if read_output_tag(dst) == output_tag(settings) and \
                check_video(dst, decoder=decoder).ok:
            return Result('skipped', name, '', bytes_in, osp.getsize(dst))
        _remove(dst)
    part = dst + PART_SUFFIX
    try:
        _, written = transcode_video(src, part, settings)
    except TranscodeError as e:
        _remove(part)
        return Result(
            'rejected', name, f'{e.part}: {e.reason}', detail=e.detail)
    except Exception as e:
        _remove(part)
        return Result(
            'rejected',
            name,
            f'encode failed: {type(e).__name__}',
            detail=short_error(e))
    check = check_video(part, decoder=decoder)
    if not check.ok or abs(check.num_frames - written) > 1:
        _remove(part)
        why = check.reason or f'{check.num_frames} frames, expected {written}'
        return Result('rejected', name, f'output: {why}', detail=check.detail)
    os.replace(part, dst)
    return Result('done', name, '', bytes_in, osp.getsize(dst))


def _rejected(task, failure: TaskFailure) -> Result:
    """The result of a task whose worker timed out, crashed or raised; its
    partial output is deleted."""
    _remove(task[2] + PART_SUFFIX)
    return Result('rejected', task[1], failure.reason, detail=failure.detail)


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
                   redo_on_change: bool = False,
                   decoder: str = 'decord',
                   timeout: Optional[float] = 1800,
                   prepare: Callable[..., Result] = prepare_one) -> dict:
    """Transcode a folder (recursively) or the videos of an MMAction2 list
    into ``out_dir``.

    Outputs mirror the source's relative paths with ``.mp4``. The settings
    are recorded in ``out_dir/prepare.json``; a run with other settings
    raises :class:`SettingsChanged` unless ``redo_on_change`` (then every
    output made with other settings is re-encoded). Rejected sources are
    merged into ``out_dir/rejected.txt`` (``path<TAB>reason``). For a list
    input the list with new paths (good videos only) is written to
    ``out_dir/<list name>``. Outputs are checked with ``decoder``. Each
    video is prepared (``prepare``, default :func:`prepare_one`) in a worker
    process killed after ``timeout`` seconds (None: no limit), so a source
    that hangs or crashes the decoder or encoder is rejected (``timeout
    after Ns``, ``decoder crashed (...)``) and the others go on.

    Returns:
        dict: counts ``done``, ``skipped``, ``rejected``, ``bytes_in`` and
        ``bytes_out`` (over done and skipped videos), and ``results``.
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
            raise ValueError(f'output {dst} would overwrite its source: use '
                             'another OUT_DIR')
        tasks.append((src, name, dst, settings))
    claim_out_dir(out_dir, settings, outputs, redo_on_change)
    results = [
        _rejected(task, r) if isinstance(r, TaskFailure) else r
        for task, r in zip(
            tasks,
            map_progress(
                partial(prepare, decoder=decoder), tasks, workers, timeout))
    ] + rejected
    for r in results:
        if r.detail:
            logger.debug('%s: %s: %s', r.name, r.reason, r.detail)
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
