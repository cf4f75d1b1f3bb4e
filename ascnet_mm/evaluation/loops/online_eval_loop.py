"""Validation loop of the online evaluation during pretraining."""
import logging
import os.path as osp
from typing import Optional

from mmaction.registry import LOOPS
from mmengine.logging import print_log
from mmengine.runner import ValLoop

from ..metrics.online_eval_metric import OnlineEvalSizes
from .role_passes import EvaluatorCfg, LoaderCfg, RolePassesMixin, build_loader


def _ann_file(loader) -> Optional[str]:
    """The annotation file of a dataloader config (None if unknown)."""
    if not isinstance(loader, dict):
        return None
    dataset = loader.get('dataset', {})
    dataset = dataset.get('dataset', dataset)  # a wrapper's dataset
    return dataset.get('ann_file') if isinstance(dataset, dict) else None


@LOOPS.register_module()
class OnlineEvalValLoop(RolePassesMixin, ValLoop):
    """Pooled backbone features of a labelled memory (e.g. a small train
    split), the queries (``val_dataloader``) and optionally speed-probe
    clips, for :class:`OnlineKNNMetric`, every ``train_cfg.val_interval``.

    The model is in eval mode (BN statistics untouched) and predicts with
    its online backbone (EMA targets untouched). The dataloaders are built
    at the first validation, so a run that never validates does not need
    the lists; lists missing at the start are named in a warning then.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): the queries.
        evaluator (Evaluator | dict | list): e.g.
            ``dict(type='OnlineKNNMetric')``.
        memory_dataloader (DataLoader | dict): the kNN memory.
        probe_dataloader (DataLoader | dict, optional): clips of
            ``SpeedProbeDataset``; None: no speed probe.
        fp16 (bool): run the model under autocast. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: LoaderCfg,
                 evaluator: EvaluatorCfg,
                 memory_dataloader: LoaderCfg,
                 probe_dataloader: Optional[LoaderCfg] = None,
                 fp16: bool = False) -> None:
        self._runner = runner
        self._loaders = dict(
            memory=memory_dataloader, query=dataloader, probe=probe_dataloader)
        self._built = False
        missing = [
            path for path in map(_ann_file, self._loaders.values())
            if path is not None and not osp.exists(path)
        ]
        if missing:
            print_log(
                f'online evaluation: {missing} not found; the first '
                'validation will fail unless they appear (set '
                'val_cfg=None to switch it off)',
                logger='current',
                level=logging.WARNING)
        self.dataloader = None
        if isinstance(evaluator, (dict, list)):
            evaluator = runner.build_evaluator(evaluator)
        self.evaluator = evaluator
        self.fp16 = fp16
        self.val_loss = dict()

    def _build(self) -> None:
        if self._built:
            return
        self._loaders = {
            role:
            None if loader is None else build_loader(self.runner, loader)
            for role, loader in self._loaders.items()
        }
        self.dataloader = self._loaders['query']
        self._built = True

    def run(self) -> dict:
        """Memory, query (and probe) passes, then the metrics."""
        self._build()
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        passes = [(role, loader) for role, loader in self._loaders.items()
                  if loader is not None]
        self.run_passes(passes, 'val')
        metrics = self.evaluator.evaluate(
            OnlineEvalSizes(**{
                role: len(loader.dataset)
                for role, loader in passes
            }))
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics
