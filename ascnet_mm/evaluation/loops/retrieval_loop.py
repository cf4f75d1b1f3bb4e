"""Test loop for nearest-neighbour retrieval: gallery pass, then query pass.

Registered as ``NNRetrievalTestLoop``: MMAction2 already registers a
``RetrievalTestLoop`` (video-text retrieval) in the same registry.
"""
import copy
from typing import Sequence

import torch
from mmaction.registry import LOOPS, METRICS
from mmengine.runner import TestLoop

from ..metrics.retrieval_metric import NNRetrievalMetric, RetrievalSizes
from .role_passes import EvaluatorCfg, LoaderCfg, RolePassesMixin, build_loader


def _default_out_dir(evaluator: EvaluatorCfg, out_dir: str) -> EvaluatorCfg:
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
class NNRetrievalTestLoop(RolePassesMixin, TestLoop):
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
        **kwargs: TestLoop's others: ``fp16`` (bool), run the model under
            autocast, defaults to False.
    """

    def __init__(self, runner, dataloader: LoaderCfg, evaluator: EvaluatorCfg,
                 gallery_dataloader: LoaderCfg, **kwargs) -> None:
        evaluator = _default_out_dir(evaluator, runner.work_dir)
        super().__init__(runner, dataloader, evaluator, **kwargs)
        self.gallery_dataloader = build_loader(runner, gallery_dataloader)

    def run(self) -> dict:
        """Gallery pass, query pass, then retrieval metrics."""
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        self.runner.model.eval()
        self.run_passes([('gallery', self.gallery_dataloader),
                         ('query', self.dataloader)], 'test')
        metrics = self.evaluator.evaluate(
            RetrievalSizes(
                gallery=len(self.gallery_dataloader.dataset),
                query=len(self.dataloader.dataset)))
        self.runner.call_hook('after_test_epoch', metrics=metrics)
        self.runner.call_hook('after_test')
        return metrics

    @torch.no_grad()
    def run_iter(self,
                 idx: int,
                 data_batch: Sequence[dict],
                 role: str = 'query') -> None:
        """Predict one batch, tag its samples with ``role``, process them."""
        self.run_role_iter(idx, data_batch, role, 'test')
