"""Test loop for nearest-neighbour retrieval: gallery pass, then query pass.

Registered as ``NNRetrievalTestLoop``: MMAction2 already registers a
``RetrievalTestLoop`` (video-text retrieval) in the same registry.
"""
import copy
from typing import Dict, List, Sequence, Union

import torch
from mmaction.registry import LOOPS, METRICS
from mmengine.evaluator import Evaluator
from mmengine.runner import TestLoop
from mmengine.runner.amp import autocast
from torch.utils.data import DataLoader

from ..metrics.retrieval_metric import (ROLE_KEY, NNRetrievalMetric,
                                        RetrievalSizes)


def _default_out_dir(evaluator: Union[Evaluator, Dict, List],
                     out_dir: str) -> Union[Evaluator, Dict, List]:
    """A copy of an evaluator config whose :class:`NNRetrievalMetric`
    configs without ``out_dir`` get ``out_dir``; a built one is returned
    as it is."""
    if isinstance(evaluator, list):
        return [_default_out_dir(m, out_dir) for m in evaluator]
    if not isinstance(evaluator, dict):
        return evaluator
    evaluator = copy.copy(evaluator)
    if 'metrics' in evaluator:
        evaluator['metrics'] = _default_out_dir(evaluator['metrics'], out_dir)
        return evaluator
    metric_type = evaluator.get('type')
    if isinstance(metric_type, str):
        metric_type = METRICS.get(metric_type)
    if isinstance(metric_type, type) and \
            issubclass(metric_type, NNRetrievalMetric) and \
            evaluator.get('out_dir') is None:
        evaluator['out_dir'] = out_dir
    return evaluator


@LOOPS.register_module()
class NNRetrievalTestLoop(TestLoop):
    """Run the model over a gallery and the test (query) dataloader and
    evaluate retrieval of the queries in the gallery.

    The runner's ``test_dataloader`` gives the queries, ``gallery_dataloader``
    (same schema, e.g. the train split with the test pipeline) the gallery.
    Each predicted data sample gets the metainfo ``retrieval_role``
    ('gallery' or 'query') before ``evaluator.process``; the evaluator then
    gets the true sizes as :class:`RetrievalSizes`. An
    :class:`NNRetrievalMetric` config without ``out_dir`` is built with the
    runner's work dir.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): the query (test) dataloader.
        evaluator (Evaluator | dict | list): e.g.
            ``dict(type='NNRetrievalMetric')``.
        gallery_dataloader (DataLoader | dict): the gallery dataloader.
        fp16 (bool): run the model under autocast. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 gallery_dataloader: Union[DataLoader, Dict],
                 fp16: bool = False) -> None:
        evaluator = _default_out_dir(evaluator, runner.work_dir)
        super().__init__(runner, dataloader, evaluator, fp16)
        if isinstance(gallery_dataloader, dict):
            diff_rank_seed = runner._randomness_cfg.get(
                'diff_rank_seed', False)
            gallery_dataloader = runner.build_dataloader(
                gallery_dataloader,
                seed=runner.seed,
                diff_rank_seed=diff_rank_seed)
        self.gallery_dataloader = gallery_dataloader

    def run(self) -> dict:
        """Gallery pass, query pass, then retrieval metrics."""
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        self.runner.model.eval()
        query_loader = self.dataloader
        try:
            for role, loader in (('gallery', self.gallery_dataloader),
                                 ('query', query_loader)):
                # hooks (e.g. the progress log) read the current loader
                self.dataloader = loader
                for idx, data_batch in enumerate(loader):
                    self.run_iter(idx, data_batch, role)
        finally:
            self.dataloader = query_loader

        metrics = self.evaluator.evaluate(
            RetrievalSizes(
                gallery=len(self.gallery_dataloader.dataset),
                query=len(query_loader.dataset)))
        self.runner.call_hook('after_test_epoch', metrics=metrics)
        self.runner.call_hook('after_test')
        return metrics

    @torch.no_grad()
    def run_iter(self,
                 idx: int,
                 data_batch: Sequence[dict],
                 role: str = 'query') -> None:
        """Predict one batch, tag its samples with ``role``, process them."""
        self.runner.call_hook(
            'before_test_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.fp16):
            outputs = self.runner.model.test_step(data_batch)
        for sample in outputs:
            sample.set_metainfo({ROLE_KEY: role})
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(
            'after_test_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)
