"""Checkpoint files that are never partial, and the one to resume from.

A file is written to a temporary name in its own folder, flushed to disk
(``fsync``), renamed over the final name (``os.replace``, atomic on POSIX
file systems) and the folder is flushed too: the final name always holds
either the previous file or the whole new one. ``AtomicLocalBackend`` does
this for MMEngine's file API (registered as the ``atomic_local`` backend).

``fault_injection``: tests set it to a callable ``(point, path)`` that may
kill the process; :func:`atomic_write` calls it at ``'mid_write'`` (half of
the data written), ``'before_rename'`` and ``'after_rename'``, the
checkpoint hook at ``'before_remove'`` and ``'after_remove'``.
"""
import os
import os.path as osp
import re
import zipfile
from typing import Callable, List, Optional, Tuple, Union

from mmengine.fileio import LocalBackend, register_backend

LAST_CHECKPOINT = 'last_checkpoint'
# Temporary names: '.epoch_3.pth.tmp', '.last_checkpoint.tmp'.
_TMP = re.compile(r'^\..+\.(pth|pt|ckpt)\.tmp$|^\.last_checkpoint\.tmp$')

fault_injection: Optional[Callable[[str, str], None]] = None


def inject_fault(point: str, path: str) -> None:
    """Call :data:`fault_injection` (a no-op unless a test set it)."""
    if fault_injection is not None:
        fault_injection(point, path)


def _fsync_dir(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str, data: Union[bytes, str]) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` through a temporary file in
    the same folder, ``fsync``, ``os.replace`` and an ``fsync`` of the
    folder."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.tmp')
    view = memoryview(data)
    try:
        with open(tmp, 'wb') as f:
            f.write(view[:len(view) // 2])
            f.flush()
            inject_fault('mid_write', path)
            f.write(view[len(view) // 2:])
            f.flush()
            os.fsync(f.fileno())
        inject_fault('before_rename', path)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(folder)
    inject_fault('after_rename', path)


def remove_partial_files(folder: str) -> List[str]:
    """Delete the temporary files a killed :func:`atomic_write` left."""
    if not osp.isdir(folder):
        return []
    removed = [
        osp.join(folder, name) for name in sorted(os.listdir(folder))
        if _TMP.match(name)
    ]
    for path in removed:
        os.remove(path)
    return removed


class AtomicLocalBackend(LocalBackend):
    """MMEngine's local file backend whose ``put`` is :func:`atomic_write`.
    """

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(str(filepath), obj.encode(encoding))


register_backend('atomic_local', AtomicLocalBackend, force=True)


def unreadable_reason(path: str) -> Optional[str]:
    """Why ``path`` is not a complete ``torch.save`` file, or None.

    Reads the whole file and checks every member's CRC (a truncated, empty or
    overwritten file fails); nothing is unpickled.
    """
    if not osp.isfile(path):
        return 'missing'
    size = osp.getsize(path)
    if size == 0:
        return 'empty (0 bytes)'
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError,
            NotImplementedError) as e:  # ValueError: e.g. a garbled name
        return f'not a complete checkpoint ({size} bytes: {e})'
    if bad is not None:
        return f'corrupt ({bad} fails its CRC check)'
    if not any(n.endswith('data.pkl') for n in names):
        return 'not a torch checkpoint (no data.pkl)'
    return None


def list_checkpoints(folder: str, filename_tmpl: str) -> List[str]:
    """Files of ``folder`` named by ``filename_tmpl`` (e.g.
    ``'epoch_{}.pth'``), the highest number first."""
    if not osp.isdir(folder):
        return []
    pattern = re.compile(
        '^' + re.escape(filename_tmpl).replace(re.escape('{}'), r'(\d+)') +
        '$')
    found = []
    for name in os.listdir(folder):
        match = pattern.match(name)
        if match:
            found.append((int(match.group(1)), osp.join(folder, name)))
    return [path for _, path in sorted(found, reverse=True)]


class NoReadableCheckpointError(RuntimeError):
    """Resuming was asked for, checkpoints exist, none can be read."""


def read_last_checkpoint(work_dir: str) -> Optional[str]:
    """The path ``work_dir/last_checkpoint`` names; None without one."""
    record = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(record):
        return None
    with open(record) as f:
        return f.read().strip() or None


def find_resume_checkpoint(work_dir: str, ckpt_dir: str,
                           filename_tmpl: str) -> Tuple[Optional[str], list]:
    """The checkpoint an automatic resume should load.

    The one ``work_dir/last_checkpoint`` names if it is readable, else the
    newest readable one of ``ckpt_dir``; None when there is none at all (a
    fresh start).

    Returns:
        tuple: the path (or None) and the warnings to log.

    Raises:
        NoReadableCheckpointError: checkpoints exist but none is readable.
    """
    record = osp.join(work_dir, LAST_CHECKPOINT)
    named = read_last_checkpoint(work_dir)
    notes, failed = [], {}
    if named is not None:
        reason = unreadable_reason(named)
        if reason is None:
            return named, notes
        failed[named] = reason
        notes.append(f'the latest checkpoint {named} (named in {record}) '
                     f'cannot be read: {reason}')
    for path in list_checkpoints(ckpt_dir, filename_tmpl):
        if osp.abspath(path) == osp.abspath(named or ''):
            continue
        reason = unreadable_reason(path)
        if reason is None:
            notes.append(f'resuming from {path}, the newest readable '
                         f'checkpoint of {ckpt_dir}')
            return path, notes
        failed[path] = reason
        notes.append(f'skipping {path}: {reason}')
    if failed:
        listing = '\n'.join(f'  {p}: {r}' for p, r in failed.items())
        raise NoReadableCheckpointError(
            f'--resume found checkpoints in {ckpt_dir} but none can be '
            f'read:\n{listing}\nResume from a good copy with --resume PATH, '
            'or move these files away and start again without --resume.')
    return None, notes


NON_FINITE_ADVICE = (
    'Lower the learning rate (optim_wrapper.optimizer.lr) or clip gradients '
    '(optim_wrapper.clip_grad=dict(max_norm=...)), then resume from it with '
    '--resume.')


def describe_last_checkpoint(path: Optional[str]) -> str:
    """A sentence on the last checkpoint saved (the MessageHub's
    ``last_ckpt``), for error messages."""
    if path and unreadable_reason(path) is None:
        return f'The last good checkpoint, {path}, is kept.'
    return 'No checkpoint had been saved yet.'
