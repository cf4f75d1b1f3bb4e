"""Count the training videos the dataset skipped as unreadable."""
import logging
from typing import Optional, Sequence

from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object
from mmengine.hooks import Hook


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """Log which unreadable videos were skipped in each training epoch.

    ``VideoListDataset`` records on every training sample the videos it
    skipped before it (``skipped_files`` and their number ``num_skipped`` in
    the data sample's metainfo). A video is skipped again each time it is
    drawn, in every data worker, so this hook counts distinct files: it
    collects them over the epoch's iterations, gathers them over ranks, and
    at the epoch's last iteration logs ``skipped N unreadable videos this
    epoch (M skips): a.mp4, b.mp4, ...`` (a warning when N > 0, naming at
    most ``max_names`` files) and records N and M as the ``skipped_videos``
    and ``skip_events`` scalars of the message hub and of the visualizer
    (``vis_data/scalars.json``). Videos skipped for samples that
    ``drop_last`` discards are not counted.

    Args:
        max_names (int): files named in the log line. Defaults to 5.
    """

    priority = 'NORMAL'

    def __init__(self, max_names: int = 5) -> None:
        self.max_names = max_names
        self._files = set()
        self._events = 0

    def before_train_epoch(self, runner) -> None:
        self._files, self._events = set(), 0

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        samples: Sequence = ()
        if isinstance(data_batch, dict):
            samples = data_batch.get('data_samples') or ()
        for sample in samples:
            meta = getattr(sample, 'metainfo', {})
            self._events += int(meta.get('num_skipped', 0))
            self._files.update(meta.get('skipped_files', ()))

    def after_train_epoch(self, runner) -> None:
        gathered = all_gather_object((sorted(self._files), self._events))
        files = sorted(set().union(*(f for f, _ in gathered)))
        events = sum(n for _, n in gathered)
        runner.message_hub.update_scalar('skipped_videos', len(files))
        runner.message_hub.update_scalar('skip_events', events)
        runner.visualizer.add_scalars(
            dict(
                skipped_videos=len(files),
                skip_events=events,
                epoch=runner.epoch + 1),
            step=runner.iter)
        names = ', '.join(files[:self.max_names])
        if len(files) > self.max_names:
            names += f', ... ({len(files) - self.max_names} more)'
        runner.logger.log(
            logging.WARNING if files else logging.INFO,
            f'Epoch(train) [{runner.epoch + 1}]: skipped {len(files)} '
            f'unreadable videos this epoch ({events} skips)' +
            (f': {names}' if files else ''))
