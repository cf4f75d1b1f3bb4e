"""A ``VideoDataset`` for labelled or unlabelled lists, checked by line."""
import os.path as osp
from typing import List

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS
from mmengine.fileio import exists, list_from_file


@DATASETS.register_module()
class VideoListDataset(VideoDataset):
    """``VideoDataset`` that also reads unlabelled lists and reports bad lines.

    Each line is ``path`` (unlabelled: label -1), ``path label`` or, with
    ``multi_class=True``, ``path label [label ...]`` (a bare ``path`` then
    has an all-zero target, as in ``VideoDataset``). Blank lines and lines
    starting with ``#`` are skipped. Arguments are those of ``VideoDataset``.

    Raises:
        FileNotFoundError: the annotation file does not exist.
        ValueError: a line is malformed; the message names the file, the
            1-based line number and the line.
    """

    def _fields(self, line: str) -> List[str]:
        if self.delimiter.isspace():
            return line.split()
        return [f.strip() for f in line.split(self.delimiter)]

    def _labels(self, fields: List[str]):
        try:
            labels = [int(f) for f in fields]
        except ValueError:
            raise ValueError(f'labels must be integers, got {fields}')
        if self.multi_class:
            if self.num_classes is None:
                raise ValueError('multi_class=True needs num_classes')
            bad = [v for v in labels if not 0 <= v < self.num_classes]
            if bad:
                raise ValueError(f'labels {bad} are outside '
                                 f'[0, {self.num_classes})')
            return labels
        if len(labels) > 1:
            raise ValueError(f'expected "path" or "path label", got '
                             f'{len(labels) + 1} fields (multi_class=True '
                             'reads several labels)')
        if labels and labels[0] < -1:
            raise ValueError(f'label {labels[0]} is negative')
        return labels[0] if labels else -1

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file into ``dict(filename, label)`` items."""
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'annotation file not found: {self.ann_file}')
        prefix = self.data_prefix.get('video')
        data_list = []
        for lineno, raw in enumerate(list_from_file(self.ann_file), 1):
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            fields = self._fields(line)
            try:
                if not fields[0]:
                    raise ValueError('empty path')
                label = self._labels(fields[1:])
            except ValueError as e:
                raise ValueError(
                    f'{self.ann_file}:{lineno}: {e}: {line!r}') from None
            filename = fields[0]
            if prefix is not None:
                filename = osp.join(prefix, filename)
            data_list.append(dict(filename=filename, label=label))
        return data_list
