"""Check every video of an MMAction2 list, each under a time limit; the
results are written as they come, so a killed run can resume."""
import logging
import os.path as osp
from collections import Counter
from typing import Callable, Dict, List, Optional, Tuple

from ..utils import TaskFailure, timed_imap
from .check import (VideoCheck, check_video, quiet_decoders, read_list,
                    reason_kind, write_lines)

logger = logging.getLogger(__name__)


def output_paths(list_file, out_dir) -> Tuple[str, str]:
    """``out_dir/<list name>`` and ``out_dir/<list stem>_rejected.txt``."""
    name = osp.basename(list_file)
    return (osp.join(out_dir, name),
            osp.join(out_dir, f'{osp.splitext(name)[0]}_rejected.txt'))


def _complete_lines(path) -> List[str]:
    """Lines of ``path`` that end with a newline (a killed run may leave a
    partial last line); [] if there is no file."""
    if not osp.exists(path):
        return []
    with open(path) as f:
        return [ln[:-1] for ln in f if ln.endswith('\n') and ln.strip()]


def previous_results(clean_list, rejected_list) -> Dict[str, str]:
    """``path -> reason`` ('' for good videos) already in the outputs."""
    done = {ln.split()[0]: '' for ln in _complete_lines(clean_list)}
    for ln in _complete_lines(rejected_list):
        path, _, reason = ln.partition('\t')
        done[path] = reason
    return done


def _write_outputs(entries, done, clean_list, rejected_list) -> None:
    """Both outputs in list order, for the videos of ``done``."""
    write_lines(clean_list,
                (ln for p, ln in entries if done.get(p, None) == ''))
    seen = set()
    rows = []
    for p, _ in entries:
        if done.get(p) and p not in seen:
            seen.add(p)
            rows.append(f'{p}\t{done[p]}')
    write_lines(rejected_list, rows)


def verify_list(list_file,
                data_prefix: str = '',
                out_dir: str = '.',
                workers: int = 1,
                timeout: Optional[float] = 60,
                resume: bool = False,
                check: Callable[..., VideoCheck] = check_video) -> dict:
    """Check every video of ``list_file``; write the clean list and the
    rejects.

    Writes ``out_dir/<list name>`` (input lines of good videos) and
    ``out_dir/<list stem>_rejected.txt`` (``path<TAB>reason``), appending
    each video's line as its check ends and rewriting both in list order at
    the end. Each check runs in a worker process that is killed after
    ``timeout`` seconds (None: no limit), the video rejected as ``timeout
    after Ns``. With ``resume``, videos already in either output are not
    checked again.

    Returns:
        dict: ``total``, ``ok``, ``rejected``, ``resumed`` (videos taken from
        the outputs of an earlier run), ``reasons`` (Counter of reason
        kinds), ``clean_list``, ``rejected_list``.
    """
    clean_list, rejected_list = output_paths(list_file, out_dir)
    if osp.abspath(clean_list) == osp.abspath(list_file):
        raise ValueError(
            f'--out-dir would overwrite the input list {list_file}')
    entries = read_list(list_file)
    paths = list(dict.fromkeys(p for p, _ in entries))
    done = previous_results(clean_list, rejected_list) if resume else {}
    done = {p: r for p, r in done.items() if p in set(paths)}
    resumed = len(done)
    _write_outputs(entries, done, clean_list, rejected_list)
    todo = [p for p in paths if p not in done]
    lines = {}
    for p, ln in entries:
        lines.setdefault(p, []).append(ln)
    bar = None
    if todo:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(todo))
    tasks = [osp.join(data_prefix, p) for p in todo]
    with open(clean_list, 'a') as good, open(rejected_list, 'a') as bad:
        for i, result in timed_imap(check, tasks, workers, timeout,
                                    quiet_decoders):
            path = todo[i]
            if isinstance(result, TaskFailure) or not result.ok:
                done[path] = result.reason
                bad.write(f'{path}\t{result.reason}\n')
                bad.flush()
                logger.debug('%s: %s: %s', path, result.reason, result.detail
                             or '(no decoder text)')
            else:
                done[path] = ''
                good.writelines(f'{ln}\n' for ln in lines[path])
                good.flush()
            bar.update()
    _write_outputs(entries, done, clean_list, rejected_list)
    reasons = [done[p] for p, _ in entries if done[p]]
    return dict(
        total=len(entries),
        ok=len(entries) - len(reasons),
        rejected=len(reasons),
        resumed=resumed,
        reasons=Counter(reason_kind(r) for r in reasons),
        clean_list=clean_list,
        rejected_list=rejected_list)
