"""Fail before training or testing when a checkpoint does not fit the
backbone."""
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from ...checkpoint import check_backbone_checkpoint, pretrained_init_cfgs

HOW_TO_ALLOW = ('--cfg-options default_hooks.strict_load.allow_partial=True')


@HOOKS.register_module()
class StrictLoadHook(Hook):
    """Check, before MMEngine loads anything, that the checkpoints of the run
    hold every backbone tensor with the backbone's shape.

    Both ways a protocol gets its weights are checked, at ``before_run``:

    - ``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=...,
      prefix='backbone.')`` (finetune, linear probe), when the run trains
      (``Runner.train`` initialises the weights after ``before_run``);
    - ``load_from`` (``tools/test.py CONFIG CHECKPOINT``: test, retrieval),
      the model's ``backbone.*`` tensors; not when resuming, which restores
      the run's own checkpoint.

    Keys the backbone does not use (EMA targets, projectors, heads, banks,
    queues) are ignored. A mismatch raises
    :class:`~ascnet_mm.checkpoint.CheckpointMismatchError` naming the file,
    the missing and mismatched keys and the likely cause.

    Args:
        allow_partial (bool): only warn, and let MMEngine load the tensors
            that fit (``--cfg-options
            default_hooks.strict_load.allow_partial=True``).
    """

    priority = 'VERY_HIGH'

    def __init__(self, allow_partial: bool = False) -> None:
        self.allow_partial = allow_partial

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        backbone = getattr(model, 'backbone', None)
        if backbone is None:
            return
        check = dict(
            backbone=backbone,
            allow_partial=self.allow_partial,
            how_to_allow=HOW_TO_ALLOW)
        if isinstance(runner._train_loop, BaseLoop):
            for cfg in pretrained_init_cfgs(
                    getattr(backbone, 'init_cfg', None)):
                if cfg.get('checkpoint'):
                    check_backbone_checkpoint(
                        cfg['checkpoint'],
                        prefix=cfg.get('prefix'),
                        strip_module=not cfg.get('prefix'),
                        **check)
        if runner._load_from and not runner._resume:
            check_backbone_checkpoint(runner._load_from, **check)
