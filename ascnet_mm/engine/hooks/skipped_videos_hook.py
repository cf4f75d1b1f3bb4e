"""Count the training videos the dataset skipped as unreadable."""
import logging
from typing import Optional, Sequence

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_reduce
from mmengine.hooks import Hook


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """Log how many unreadable videos were skipped in each training epoch.

    ``VideoListDataset`` records on every training sample how many videos it
    skipped before it (``num_skipped`` in the data sample's metainfo). This
    hook sums them over the epoch's iterations and over ranks, logs
    ``skipped N unreadable videos this epoch`` (a warning when N > 0), and
    records N as the ``skipped_videos`` scalar of the message hub and of the
    visualizer (``vis_data/scalars.json``), at the epoch's last iteration.
    Videos skipped for samples that ``drop_last`` discards are not counted.
    """

    priority = 'NORMAL'

    def __init__(self) -> None:
        self._count = 0

    def before_train_epoch(self, runner) -> None:
        self._count = 0

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        samples: Sequence = ()
        if isinstance(data_batch, dict):
            samples = data_batch.get('data_samples') or ()
        self._count += sum(
            int(getattr(s, 'metainfo', {}).get('num_skipped', 0))
            for s in samples)

    def after_train_epoch(self, runner) -> None:
        total = torch.tensor(self._count, dtype=torch.int64)
        all_reduce(total, op='sum')
        count = int(total)
        runner.message_hub.update_scalar('skipped_videos', count)
        runner.visualizer.add_scalars(
            dict(skipped_videos=count, epoch=runner.epoch + 1),
            step=runner.iter)
        runner.logger.log(
            logging.WARNING if count else logging.INFO,
            f'Epoch(train) [{runner.epoch + 1}]: skipped {count} unreadable '
            'videos this epoch')
