"""Base of the metrics fed by several passes of one loop (gallery/memory,
queries, ...): each data sample carries its pass as the metainfo
``ROLE_KEY``, and ``evaluate`` gets each pass's true size."""
from typing import Dict, List, NamedTuple, Sequence, Tuple, Type, Union

import torch
from mmengine.evaluator import BaseMetric
from mmengine.structures import BaseDataElement

ROLE_KEY = 'retrieval_role'


def sample_record(sample: Union[dict, BaseDataElement]) -> dict:
    """``feature`` (C,) float cpu (``pred_score`` if there is no
    ``feature``), ``label`` int (-1 if unknown) and ``filename`` (or None)
    of one predicted data sample."""
    if isinstance(sample, BaseDataElement):
        sample = sample.to_dict()
    feat = sample.get('feature')
    if feat is None:
        feat = sample.get('pred_score')
    if feat is None:
        raise KeyError('a retrieval data sample needs a `feature` (or '
                       f'`pred_score`) field; it has {sorted(sample)}')
    label = sample.get('gt_label')
    label = -1 if label is None else int(torch.as_tensor(label).reshape(-1)[0])
    return dict(
        feature=torch.as_tensor(feat).detach().float().cpu().reshape(-1),
        label=label,
        filename=sample.get('filename'))


class RoleMetric(BaseMetric):
    """Stores one :func:`sample_record` per data sample with its role and
    splits the gathered results by role, each cut to its true size.

    Each rank holds its results pass by pass; the gathered list is therefore
    pass by pass too, each pass with its own sampler padding at its end.

    Subclasses set ``sizes_type`` (a NamedTuple whose fields are the roles,
    in pass order), ``loop_hint`` (the loop config that runs them) and
    implement ``compute_metrics``, calling :meth:`split_roles`.
    """

    sizes_type: Type[NamedTuple]
    loop_hint: str = ''

    @property
    def roles(self) -> Tuple[str, ...]:
        return self.sizes_type._fields

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store feature, label, role and filename of each sample."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            role = sample.get(ROLE_KEY)
            if role not in self.roles:
                raise KeyError(
                    f'data sample has {ROLE_KEY}={role!r}; expected one of '
                    f'{self.roles}. Run {type(self).__name__} with '
                    f'{self.loop_hint}')
            record = sample_record(sample)
            record['role'] = role
            self.results.append(record)

    def evaluate(self, size: NamedTuple) -> dict:
        """Metrics of the passes processed on all ranks.

        Args:
            size (sizes_type): the true size of each pass.
        """
        if not isinstance(size, self.sizes_type):
            fields = ', '.join(f'{r}=...' for r in self.roles)
            raise TypeError(
                f'{type(self).__name__}.evaluate needs '
                f'{self.sizes_type.__name__}({fields}), got {size!r}: run '
                f'it with {self.loop_hint}')
        self._sizes = size
        try:
            return super().evaluate(None)
        finally:
            self._sizes = None

    def split_roles(self, results: List[dict]) -> Dict[str, List[dict]]:
        """The records of each role, sampler padding dropped."""
        sizes = getattr(self, '_sizes', None)
        split = {role: [] for role in self.roles}
        for r in results:
            split[r['role']].append(r)
        if sizes is not None:
            split = {
                role: records[:getattr(sizes, role)]
                for role, records in split.items()
            }
        return split
