"""A ``VideoDataset`` for labelled or unlabelled lists, checked by line, that
skips unreadable videos in training."""
import logging
import os.path as osp
from typing import Callable, List, Optional, Union

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS
from mmengine.fileio import exists, list_from_file
from mmengine.logging import print_log

from ..video_io.reasons import failure_reason
from .errors import PipelineConfigError
from .sample_watchdog import watch_sample


@DATASETS.register_module()
class VideoListDataset(VideoDataset):
    """``VideoDataset`` that also reads unlabelled lists and reports bad lines.

    Each line is ``path`` (unlabelled: label -1), ``path label`` or, with
    ``multi_class=True``, ``path label [label ...]`` (a bare ``path`` then
    has an all-zero target, as in ``VideoDataset``). Blank lines and lines
    starting with ``#`` are skipped. With ``num_classes`` (labelled lists:
    give the head's) every line needs its labels in ``[0, num_classes)``,
    checked when the dataset is built; an empty list is an error.

    In training, a video that cannot be read (the pipeline raises before
    the frames are decoded: missing, empty, truncated or undecodable file,
    fewer frames than its header claims, ...) is skipped: a warning names it
    and a short reason (once per file and worker; the decoder's own text at
    debug level), and a random other video is drawn, as MMEngine does when a
    pipeline returns ``None``. Each returned sample carries ``num_skipped``
    and ``skipped_files`` (the videos skipped before it) in its data
    sample's metainfo, which ``SkippedVideosHook`` gathers per epoch.

    Never skipped: :class:`PipelineConfigError`, and any error of a step
    that runs after the frames were decoded (e.g. ``ViewAugment`` given
    per-view probabilities for another number of views): that is the
    pipeline's or the config's fault, not the video's, so it is raised as a
    :class:`PipelineConfigError` naming the step and the file. In test mode
    every failure raises, naming the file.

    A sample that takes longer than ``sample_timeout`` seconds (a decoder
    stuck on a file, a stalled file system) stops its loader process with a
    message naming the video and what to do, so the run stops instead of
    hanging (:mod:`.sample_watchdog`).

    Args:
        ann_file (str): annotation list.
        pipeline (list): data transforms.
        max_refetch (int): skipped videos in a row after which training stops
            with an error naming the last one.
        sample_timeout (float, optional): seconds one sample may take to
            load; ``None`` or 0: no limit. Default 600 (ours: a clip takes
            well under a second on a healthy machine).
        **kwargs: the other arguments of ``VideoDataset``.

    Raises:
        FileNotFoundError: the annotation file does not exist.
        ValueError: a line is malformed or its label is missing or out of
            ``[0, num_classes)``: the message names the file, the 1-based
            line number and the line; or the list has no videos.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 max_refetch: int = 20,
                 sample_timeout: Optional[float] = 600,
                 **kwargs) -> None:
        if max_refetch < 0:
            raise ValueError(f'max_refetch must be >= 0, got {max_refetch}')
        if sample_timeout is not None and not sample_timeout >= 0:
            raise ValueError('sample_timeout must be >= 0 seconds or None, '
                             f'got {sample_timeout!r}')
        self.sample_timeout = sample_timeout
        self._warned = set()
        self._last_failure: Optional[tuple] = None
        super().__init__(ann_file, pipeline, max_refetch=max_refetch, **kwargs)

    def prepare_data(self, idx: int):
        """The pipeline's output; ``None`` in training if the video cannot be
        read."""
        results = self.get_data_info(idx)
        filename = results.get('filename')
        with watch_sample(filename, self.sample_timeout, self.ann_file):
            return self._run_pipeline(results, filename)

    def _run_pipeline(self, results: dict, filename: str):
        for step in self.pipeline.transforms:
            decoded = 'imgs' in results
            try:
                results = step(results)
            except PipelineConfigError:
                raise
            except Exception as e:
                if decoded:
                    raise PipelineConfigError(
                        f'{type(step).__name__} failed on {filename}, whose '
                        f'frames decoded: {type(e).__name__}: {e}. A step '
                        'after decoding fails because of the pipeline or the '
                        'config, not the video, so the video is not skipped.'
                    ) from e
                return self._unreadable(filename, e)
            if results is None:
                return None
        return results

    def _unreadable(self, filename: str, error: Exception) -> None:
        """Warn (once per file) that ``filename`` is skipped; raise in test
        mode."""
        reason = failure_reason(filename, error)
        if self.test_mode:
            raise RuntimeError(
                f'cannot read {filename} ({reason}); a test set does not '
                'skip videos: fix or re-encode the file, or remove its '
                f'line from {self.ann_file}') from error
        self._last_failure = (filename, error)
        if filename not in self._warned:
            self._warned.add(filename)
            print_log(
                f'skipping unreadable video {filename}: {reason}',
                logger='current',
                level=logging.WARNING)
            print_log(
                f'{filename}: {type(error).__name__}: {error}',
                logger='current',
                level=logging.DEBUG)
        return None

    def __getitem__(self, idx: int) -> dict:
        """Sample ``idx``; in training an unreadable video is replaced by a
        random other one, at most ``max_refetch`` times in a row."""
        if self.test_mode:
            return super().__getitem__(idx)
        if not self._fully_initialized:
            self.full_init()
        skipped = []
        for _ in range(self.max_refetch + 1):
            self._last_failure = None
            data = self.prepare_data(idx)
            if data is not None:
                sample = (
                    data.get('data_samples')
                    if isinstance(data, dict) else None)
                if hasattr(sample, 'set_metainfo'):
                    sample.set_metainfo(
                        dict(num_skipped=len(skipped), skipped_files=skipped))
                return data
            if self._last_failure is not None:
                skipped.append(self._last_failure[0])
                failure = self._last_failure
            idx = self._rand_another()
        if not skipped:
            raise RuntimeError(
                f'the pipeline returned None for {self.max_refetch + 1} '
                f'videos in a row of {self.ann_file}')
        filename, error = failure
        raise RuntimeError(
            f'{self.max_refetch + 1} videos in a row of {self.ann_file} could '
            f'not be read, the last {filename} '
            f'({failure_reason(filename, error)}). Check the videos '
            '(tools/data/verify_videos.py writes a clean list) and the '
            'pipeline, or raise max_refetch.') from error

    def _fields(self, line: str) -> List[str]:
        if self.delimiter.isspace():
            return line.split()
        return [f.strip() for f in line.split(self.delimiter)]

    def _labels(self, fields: List[str]):
        try:
            labels = [int(f) for f in fields]
        except ValueError:
            raise ValueError(f'labels must be integers, got {fields}')
        if self.multi_class and self.num_classes is None:
            raise ValueError('multi_class=True needs num_classes')
        if not self.multi_class and len(labels) > 1:
            raise ValueError(f'expected "path" or "path label", got '
                             f'{len(labels) + 1} fields (multi_class=True '
                             'reads several labels)')
        if self.num_classes is not None:
            if not labels and not self.multi_class:
                raise ValueError(f'no label (num_classes={self.num_classes}:'
                                 ' every line needs "path label")')
            bad = [v for v in labels if not 0 <= v < self.num_classes]
            if bad:
                what = f'label {bad[0]} is' if len(bad) == 1 else \
                    f'labels {bad} are'
                raise ValueError(f'{what} outside [0, {self.num_classes})')
        elif labels and labels[0] < -1:
            raise ValueError(f'label {labels[0]} is negative')
        if self.multi_class:
            return labels
        return labels[0] if labels else -1

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file into ``dict(filename, label)`` items."""
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'annotation file not found: {self.ann_file} (relative paths '
                'are from the folder you run in; tools/data/build_lists.py '
                'writes the lists: docs/data_preparation.md)')
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
        if not data_list:
            raise ValueError(f'{self.ann_file}: the list has no videos (it '
                             'is empty or has only blank and comment lines)')
        return data_list
