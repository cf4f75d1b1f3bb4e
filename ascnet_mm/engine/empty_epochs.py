"""A training list shorter than one global batch (``drop_last=True``) gives
an epoch of no iterations, which MMEngine reports only later, as
``epoch_length must be a positive integer, but got 0`` while it builds the
schedulers. :func:`refuse_empty_train_epochs` (applied by
``ascnet_mm.compat``) makes the train loops check their dataloader when they
build it and name the list, its length and the global batch."""


def _empty_epoch_message(dataloader) -> str:
    dataset = dataloader.dataset
    name = getattr(dataset, 'ann_file', None) or type(dataset).__name__
    from mmengine.dist import get_world_size
    world = get_world_size()
    batch = dataloader.batch_size or 0
    return (f'the training list {name} has {len(dataset)} samples, fewer '
            f'than one global batch of {batch * world} ({batch} per process '
            f'x {world} processes) with drop_last={dataloader.drop_last}: an '
            'epoch would have no iterations. Use a longer list, a smaller '
            'train_dataloader.batch_size or fewer processes.')


def refuse_empty_train_epochs() -> None:
    """Make MMEngine's train loops refuse a dataloader of no batches."""
    from mmengine.runner.loops import EpochBasedTrainLoop, IterBasedTrainLoop
    for loop in (EpochBasedTrainLoop, IterBasedTrainLoop):
        original = loop.__init__
        if getattr(original, '_ascnet_mm_patched', False):
            continue

        def __init__(self,
                     runner,
                     dataloader,
                     *args,
                     _original=original,
                     **kwargs):
            _original(self, runner, dataloader, *args, **kwargs)
            try:
                empty = len(self.dataloader) == 0
            except TypeError:  # an iterable dataset has no length
                empty = False
            if empty:
                raise ValueError(_empty_epoch_message(self.dataloader))

        __init__._ascnet_mm_patched = True
        __init__.__doc__ = original.__doc__
        loop.__init__ = __init__
