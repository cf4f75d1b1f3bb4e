"""Run a loop's model over several dataloaders in turn, tagging each
predicted sample with its pass (``ROLE_KEY``) for a :class:`RoleMetric`."""
from typing import Dict, List, Sequence, Tuple, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.runner.amp import autocast
from torch.utils.data import DataLoader

from ..metrics.role_metric import ROLE_KEY

# what MMEngine's loops take for a dataloader and for an evaluator: built,
# or a config
LoaderCfg = Union[DataLoader, Dict]
EvaluatorCfg = Union[Evaluator, Dict, List]


def build_loader(runner, loader: LoaderCfg) -> DataLoader:
    """``loader`` built as the runner builds its own (seeded), or as it
    is."""
    if not isinstance(loader, dict):
        return loader
    diff_rank_seed = runner._randomness_cfg.get('diff_rank_seed', False)
    return runner.build_dataloader(
        loader, seed=runner.seed, diff_rank_seed=diff_rank_seed)


class RolePassesMixin:
    """For a ValLoop or TestLoop (``stage`` 'val' or 'test'): the passes
    call the stage's iteration hooks and ``model.<stage>_step``."""

    def run_passes(self, passes: Sequence[Tuple[str, DataLoader]],
                   stage: str) -> None:
        """Predict and process every batch of each ``(role, loader)``."""
        own_loader = self.dataloader
        try:
            for role, loader in passes:
                # hooks (e.g. the progress log) read the current loader
                self.dataloader = loader
                for idx, data_batch in enumerate(loader):
                    self.run_role_iter(idx, data_batch, role, stage)
        finally:
            self.dataloader = own_loader

    @torch.no_grad()
    def run_role_iter(self, idx: int, data_batch: Sequence[dict], role: str,
                      stage: str) -> None:
        """Predict one batch, tag its samples with ``role``, process them."""
        self.runner.call_hook(
            f'before_{stage}_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.fp16):
            outputs = getattr(self.runner.model, f'{stage}_step')(data_batch)
        for sample in outputs:
            sample.set_metainfo({ROLE_KEY: role})
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(
            f'after_{stage}_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)
