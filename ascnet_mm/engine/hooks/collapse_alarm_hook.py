"""Warn (or stop) when the online evaluation shows the features
collapsing."""
import logging
from typing import Dict, List, Optional

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log

RANK_KEY = 'spectrum/effective_rank'
STD_KEY = 'spectrum/feature_std'


class FeatureCollapseError(RuntimeError):
    """Raised by :class:`CollapseAlarmHook` with ``stop=True``."""


def collapse_alarms(history: Dict[str, List[float]], rank_fraction: float,
                    min_feature_std: float, trend: int) -> List[str]:
    """Messages for the alarms raised by the latest measurements.

    Args:
        history: every measurement so far of ``RANK_KEY`` and ``STD_KEY``.
        rank_fraction: alarm when the effective rank is below this fraction
            of its first measurement.
        min_feature_std: alarm when the feature std is below this.
        trend: how many of the last measurements a message lists.
    """
    alarms = []
    checks = ((RANK_KEY, lambda v: v[-1] < rank_fraction * v[0],
               f'below {rank_fraction:g} x its first value'),
              (STD_KEY, lambda v: v[-1] < min_feature_std,
               f'below {min_feature_std:g}'))
    for key, fires, why in checks:
        values = history.get(key)
        if values and fires(values):
            alarms.append(
                f'{key} {values[-1]:.4g} is {why} (first {values[0]:.4g}; '
                'last measurements ' +
                ', '.join(f'{v:.4g}' for v in values[-trend:]) + ')')
    return alarms


@HOOKS.register_module()
class CollapseAlarmHook(Hook):
    """After each online evaluation (``OnlineKNNMetric``), warn when the
    memory features collapse: ``spectrum/effective_rank`` falls below
    ``rank_fraction`` of its first measurement, or ``spectrum/feature_std``
    (about ``1 / sqrt(C)`` when healthy: 0.088 for 128-d, 0.044 for 512-d
    features) below ``min_feature_std``. With ``stop=True`` it raises
    :class:`FeatureCollapseError` instead, ending the run.

    The history is per run (not resumed): after a resume the first
    measurement is the resumed run's first.

    Args:
        rank_fraction (float): Defaults to 0.25.
        min_feature_std (float): Defaults to 0.01.
        stop (bool): raise instead of warning. Defaults to False.
        trend (int): measurements a message lists. Defaults to 5.
    """

    priority = 'LOW'

    def __init__(self,
                 rank_fraction: float = 0.25,
                 min_feature_std: float = 0.01,
                 stop: bool = False,
                 trend: int = 5) -> None:
        self.rank_fraction = rank_fraction
        self.min_feature_std = min_feature_std
        self.stop = stop
        self.trend = trend
        self.history: Dict[str, List[float]] = {RANK_KEY: [], STD_KEY: []}

    def after_val_epoch(self,
                        runner,
                        metrics: Optional[Dict[str, float]] = None) -> None:
        metrics = metrics or {}
        for key, values in self.history.items():
            if key in metrics:
                values.append(float(metrics[key]))
        alarms = collapse_alarms(self.history, self.rank_fraction,
                                 self.min_feature_std, self.trend)
        if not alarms:
            return
        message = (f'feature collapse at epoch {runner.epoch}, iteration '
                   f'{runner.iter}: ' + '; '.join(alarms))
        if self.stop:
            raise FeatureCollapseError(message)
        print_log(message, logger='current', level=logging.WARNING)
