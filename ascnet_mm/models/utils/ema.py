import math
from collections import defaultdict
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.logging import MessageHub
from mmengine.model import ExponentialMovingAverage
from torch import Tensor


@MODELS.register_module()
class CosineEMA(ExponentialMovingAverage):
    r"""EMA target whose momentum follows a cosine over training.

    MMEngine convention: ``avg = (1 - m) * avg + m * src``, i.e. m = 1 - tau
    of BYOL. At iteration t of T (``'iter'`` and ``'max_iters'`` runtime
    infos of the current :class:`MessageHub`)

    .. math:: m_t = m_{end} - (m_{end} - m) (\cos(\pi t / T) + 1) / 2

    and ``m`` when those infos are absent; t >= T is an error (not a frozen
    target). The first update copies the
    source; later updates happen every ``interval`` steps. The update runs
    without host synchronisation (the step counter stays on the device).

    Args:
        model (nn.Module): the online module to average.
        momentum (float): momentum at the start of training.
        end_momentum (float): momentum at the end of training.
        interval (int): update every ``interval`` calls.
        device (torch.device, optional): where the averaged copy lives.
        update_buffers (bool): average floating buffers too (BN running
            stats) and copy the others; if False, all buffers are copied.
    """

    def __init__(self,
                 model: nn.Module,
                 momentum: float = 0.01,
                 end_momentum: float = 0.0,
                 interval: int = 1,
                 device: Optional[torch.device] = None,
                 update_buffers: bool = True) -> None:
        super().__init__(model, momentum, interval, device, update_buffers)
        assert 0.0 <= end_momentum <= 1.0, \
            f'end_momentum must be in [0, 1], got {end_momentum}'
        self.end_momentum = end_momentum
        # The parent caches state_dict() views, which go stale on .to().
        del self.avg_parameters

    def current_momentum(self) -> float:
        """Momentum of the current iteration, from the MessageHub.

        Raises:
            RuntimeError: the iteration (0-based) is not below
                ``max_iters``: the target would freeze at the end momentum.
                That happens when a run is resumed with fewer iterations
                per epoch than its checkpoint (``RunLayoutHook`` refuses
                such a resume before training).
        """
        hub = MessageHub.get_current_instance()
        t, total = hub.get_info('iter'), hub.get_info('max_iters')
        if t is None or not total:
            return self.momentum
        if t >= total:
            raise RuntimeError(
                f'CosineEMA: iteration {t} is not below max_iters {total}: '
                'the momentum schedule has ended. The run was resumed with '
                'fewer iterations per epoch than its checkpoint had: resume '
                'with the same global batch.')
        progress = max(t / total, 0.0)
        return self.end_momentum - (self.end_momentum - self.momentum) * (
            math.cos(math.pi * progress) + 1) / 2

    def avg_func(self, averaged_param: Tensor, source_param: Tensor,
                 steps: int) -> None:
        """In-place ``averaged_param.lerp_(source_param, m_t)``."""
        averaged_param.lerp_(source_param, self.current_momentum())

    def _tensors(self, model: nn.Module) -> dict:
        tensors = dict(model.named_parameters())
        if self.update_buffers:
            tensors.update(model.named_buffers())
        return tensors

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average ``model`` into ``self.module`` (copy on the first call)."""
        src = self._tensors(model)
        groups = defaultdict(lambda: ([], []))
        for name, avg in self._tensors(self.module).items():
            s = src[name].detach().to(avg.device)
            if avg.dtype.is_floating_point:
                groups[(avg.device, avg.dtype)][0].append(avg)
                groups[(avg.device, avg.dtype)][1].append(s)
            else:
                avg.copy_(s)
        if not self.update_buffers:
            for avg, s in zip(self.module.buffers(), model.buffers()):
                avg.copy_(s)
        steps = self.steps
        weight = torch.where(
            steps == 0, 1.0,
            torch.where(steps % self.interval == 0, self.current_momentum(),
                        0.0))
        for (device, dtype), (avgs, srcs) in groups.items():
            w = weight.to(device=device, dtype=dtype)
            torch._foreach_lerp_(avgs, srcs, [w] * len(avgs))
        self.steps += 1
