"""Official split files of UCF-101, HMDB-51 and Kinetics-400, or a folder of
videos -> MMAction2 video lists.

Each parser returns ``(classes, lists)``: ``classes[label]`` is the class name
and
``lists`` maps a list file name (MMAction2's naming) to lines
``'relative/path.ext label'``.
"""
import csv
import glob
import os.path as osp
import random
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

Lists = Dict[str, List[str]]


def _read_lines(path) -> List[str]:
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip()]


def ucf101_lists(split_dir, split: int = 1) -> Tuple[List[str], Lists]:
    """UCF-101 from ``ucfTrainTestlist/`` (classInd.txt, trainlist0K.txt,
    testlist0K.txt).

    Labels are classInd's 1-based indices minus one, looked up by the class
    folder of
    each path; a train line's own label must agree.
    """
    index = [
        ln.split() for ln in _read_lines(osp.join(split_dir, 'classInd.txt'))
    ]
    classes = [name for _, name in sorted(index, key=lambda x: int(x[0]))]
    label_of = {name: int(i) - 1 for i, name in index}

    def parse(file_name):
        lines = []
        for ln in _read_lines(osp.join(split_dir, file_name)):
            path, *given = ln.split()
            label = label_of[path.split('/')[0]]
            if given and int(given[0]) - 1 != label:
                raise ValueError(
                    f'{file_name}: label {given[0]} of {path} disagrees with '
                    f'classInd.txt ({label + 1})')
            lines.append(f'{path} {label}')
        return lines

    return classes, {
        f'ucf101_train_split_{split}_videos.txt':
        parse(f'trainlist0{split}.txt'),
        f'ucf101_val_split_{split}_videos.txt': parse(f'testlist0{split}.txt')
    }


def hmdb51_lists(split_dir, split: int = 1) -> Tuple[List[str], Lists]:
    """HMDB-51 from ``testTrainMulti_7030_splits/<class>_test_split<K>.txt``.

    In each file a line is ``video.avi ID`` with ID 1 = train, 2 = test, 0 =
    unused;
    paths are ``<class>/video.avi`` and labels index the sorted class names.
    """
    files = {}
    for path in glob.glob(osp.join(split_dir, f'*_test_split{split}.txt')):
        name = re.fullmatch(rf'(.+)_test_split{split}\.txt',
                            osp.basename(path)).group(1)
        files[name] = path
    if not files:
        raise FileNotFoundError(f'no *_test_split{split}.txt in {split_dir}')
    classes = sorted(files)
    train, test = [], []
    for label, name in enumerate(classes):
        for ln in _read_lines(files[name]):
            video, use = ln.split()
            target = {'1': train, '2': test}.get(use)
            if target is not None:
                target.append(f'{name}/{video} {label}')
    return classes, {
        f'hmdb51_train_split_{split}_videos.txt': train,
        f'hmdb51_val_split_{split}_videos.txt': test
    }


def kinetics_class_dir(label: str) -> str:
    """Class folder name used by MMAction2 (``rename_classnames.sh``): spaces
    -> '_'."""
    return label.replace('"', '').replace(' ', '_')


def kinetics_video_name(youtube_id: str, start, end, ext: str = '.mp4') -> str:
    """``{youtube_id}_{start:06d}_{end:06d}.mp4``."""
    return f'{youtube_id}_{int(float(start)):06d}_{int(float(end)):06d}{ext}'


def kinetics_lists(train_csv,
                   val_csv,
                   layout: str = 'class',
                   ext: str = '.mp4',
                   name: str = 'kinetics400') -> Tuple[List[str], Lists]:
    """Kinetics from its CSVs
    (``label,youtube_id,time_start,time_end,split[,...]``).

    ``layout='class'``: ``<class_dir>/<video>``, ``'flat'``: ``<video>``.
    Labels index the
    sorted class names found in both CSVs.
    """
    if layout not in ('class', 'flat'):
        raise ValueError(f'layout must be class or flat, got {layout!r}')
    rows = {}
    for key, path in (('train', train_csv), ('val', val_csv)):
        with open(path, newline='') as f:
            rows[key] = list(csv.DictReader(f))
    classes = sorted({r['label'] for rs in rows.values() for r in rs})
    label_of = {c: i for i, c in enumerate(classes)}

    def line(r):
        video = kinetics_video_name(r['youtube_id'], r['time_start'],
                                    r['time_end'], ext)
        if layout == 'class':
            video = f'{kinetics_class_dir(r["label"])}/{video}'
        return f'{video} {label_of[r["label"]]}'

    return classes, {
        f'{name}_{k}_list_videos.txt': [line(r) for r in rs]
        for k, rs in rows.items()
    }


def split_existing(lines: Sequence[str],
                   data_dir) -> Tuple[List[str], List[str]]:
    """(lines whose file exists under ``data_dir``, lines whose file is
    missing)."""
    kept, missing = [], []
    for ln in lines:
        (kept if osp.isfile(osp.join(data_dir,
                                     ln.split()[0])) else missing).append(ln)
    return kept, missing


def write_lists(out_dir,
                classes: Sequence[str],
                lists: Lists,
                check_dirs: Optional[Sequence[str]] = None) -> Dict[str, dict]:
    """Write ``classes.txt`` and each list; with ``check_dirs`` drop missing
    files.

    ``check_dirs``: one data folder for every list, or one per list in order.
    Missing
    lines go to ``<list stem>_missing.txt``. Returns per list ``dict(kept,
    missing)``.
    """
    from ..video_io.check import write_lines
    write_lines(osp.join(out_dir, 'classes.txt'), classes)
    if check_dirs and len(check_dirs) not in (1, len(lists)):
        raise ValueError(
            f'give 1 or {len(lists)} data folders, got {len(check_dirs)}')
    report = {}
    for i, (file_name, lines) in enumerate(lists.items()):
        missing = []
        if check_dirs:
            lines, missing = split_existing(
                lines, check_dirs[min(i,
                                      len(check_dirs) - 1)])
            if missing:
                stem = osp.splitext(file_name)[0]
                write_lines(osp.join(out_dir, f'{stem}_missing.txt'), missing)
        write_lines(osp.join(out_dir, file_name), lines)
        report[file_name] = dict(kept=len(lines), missing=len(missing))
    return report


def first_folder(path: str) -> Optional[str]:
    """The first-level folder of a relative ``path``; None for a bare file."""
    parts = path.replace(osp.sep, '/').split('/')
    return parts[0] if len(parts) > 1 else None


def folder_classes(paths: Sequence[str]) -> List[str]:
    """The class names of relative video ``paths``: their sorted first-level
    folders, or ``[]`` (unlabelled) unless every video lies in one and there
    are at least two."""
    tops = [first_folder(p) for p in paths]
    if None in tops or len(set(tops)) < 2:
        return []
    return sorted(set(tops))


def folder_lists(paths: Sequence[str],
                 val_fraction: float = 0.2,
                 seed: int = 0) -> Tuple[List[str], Lists]:
    """Lists of a folder's videos (``paths`` relative to the folder).

    ``pretrain.txt`` holds every path, unlabelled. When the first-level
    folders are classes (:func:`folder_classes`), ``train.txt`` /
    ``val.txt`` hold ``path label`` (label: index in the sorted class
    names), ``round(n * val_fraction)`` videos of each class drawn into
    val with ``seed`` (at least one left in train). Lines keep the sorted
    order of ``paths``.
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f'val_fraction must be in [0, 1), got {val_fraction}')
    paths = sorted(paths)
    lists = {'pretrain.txt': list(paths)}
    classes = folder_classes(paths)
    if not classes:
        return classes, lists
    rng = random.Random(seed)
    label_of = {c: i for i, c in enumerate(classes)}
    val = set()
    for c in classes:
        members = [p for p in paths if first_folder(p) == c]
        num_val = min(round(len(members) * val_fraction), len(members) - 1)
        val.update(rng.sample(members, num_val))
    for name, in_val in (('train.txt', False), ('val.txt', True)):
        lists[name] = [
            f'{p} {label_of[first_folder(p)]}' for p in paths
            if (p in val) == in_val
        ]
    return classes, lists


def list_folder(root,
                out_dir,
                val_fraction: float = 0.2,
                seed: int = 0,
                workers: int = 1,
                timeout: Optional[float] = 60,
                check: Optional[Callable] = None) -> dict:
    """Find the videos under ``root`` (recursive, by extension), decode each
    once (``check``, default ``check_video``; in a worker process killed
    after ``timeout`` seconds, None: no limit), and write
    :func:`folder_lists` of the readable ones to ``out_dir`` (with
    ``classes.txt`` when labelled) and the others to ``unreadable.txt``
    (``path<TAB>reason``: a hung or crashed decoder is ``timeout after Ns``
    or ``decoder crashed (...)``).

    Returns ``dict(classes, lists={name: count}, unreadable=[(path,
    reason)])``.
    """
    from ..utils import TaskFailure
    from ..video_io.check import check_video, map_progress, write_lines
    from ..video_io.prepare import find_videos
    found = find_videos(root, exclude=out_dir)
    if not found:
        raise ValueError(f'no videos under {root}')
    checks = map_progress(check or check_video,
                          [osp.join(root, p) for p in found], workers,
                          timeout)
    ok = [not isinstance(c, TaskFailure) and c.ok for c in checks]
    good = [p for p, k in zip(found, ok) if k]
    bad = [(p, c.reason) for p, c, k in zip(found, checks, ok) if not k]
    if not good:
        raise ValueError(f'no readable videos under {root} (the first: '
                         f'{bad[0][0]}: {bad[0][1]})')
    classes, lists = folder_lists(good, val_fraction, seed)
    for name, lines in lists.items():
        write_lines(osp.join(out_dir, name), lines)
    if classes:
        write_lines(osp.join(out_dir, 'classes.txt'), classes)
    write_lines(
        osp.join(out_dir, 'unreadable.txt'), (f'{p}\t{r}' for p, r in bad))
    return dict(
        classes=classes,
        lists={
            k: len(v)
            for k, v in lists.items()
        },
        unreadable=bad)
