"""Stop training at the first NaN or infinite loss, or skip that step."""
import math
from typing import Dict, Optional

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, all_reduce, get_dist_info
from mmengine.hooks import Hook
from mmengine.optim import AmpOptimWrapper, OptimWrapperDict

from ..checkpoint_io import NON_FINITE_ADVICE, describe_last_checkpoint

# MessageHub info (saved with checkpoints): optimizer steps skipped so far.
SKIPPED = 'non_finite_skipped_steps'


class NonFiniteLossError(RuntimeError):
    """A loss or gradient became NaN or infinite."""


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Stop at the first non-finite loss or gradient norm, before anything
    non-finite is saved; or skip such optimizer steps a few times.

    ``mode='stop'``: after every iteration the losses (every logged value
    whose name contains ``loss``) and, where the optim wrapper logs it
    (``clip_grad``), ``grad_norm`` are checked; the first NaN or infinite
    one raises :class:`NonFiniteLossError` naming the iteration, the values
    and the last good checkpoint (kept: the checkpoint hook runs later). It
    reads the floats MMEngine's RuntimeInfoHook has already logged, so it
    adds no device work and no host synchronisation.

    ``mode='skip'``: the optimizer step is skipped (no update, no momentum
    or weight decay) when the loss or any gradient is NaN or infinite,
    ``max_skips`` times in the whole run (the count is saved with the
    checkpoints); the next one stops as above. This costs a max-abs
    reduction over the gradients and one host synchronisation per step. With
    ``AmpOptimWrapper`` only the loss is checked: its GradScaler already
    skips steps whose scaled gradients overflow. Buffers the forward pass
    updates (EMA targets, banks, queues) are not rolled back.

    Under DDP the gradients are all-reduced; the losses are per process, so
    the flag is all-reduced too (one scalar per iteration) and every process
    takes the same decision.

    Args:
        mode (str): ``'stop'`` or ``'skip'``.
        max_skips (int): steps that ``'skip'`` may skip in total.
    """

    priority = 'HIGH'  # after RuntimeInfoHook logs, before the checkpoint

    def __init__(self, mode: str = 'stop', max_skips: int = 10) -> None:
        if mode not in ('stop', 'skip'):
            raise ValueError(f"mode must be 'stop' or 'skip', got {mode!r}")
        self.mode = mode
        self.max_skips = max_skips
        self._guarded = []

    # ----------------------------------------------------------- 'stop'
    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if self.mode != 'stop':
            return
        values = self._logged_values(runner, outputs or {})
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        rank, world = get_dist_info()
        if world > 1:
            flag = torch.tensor(int(bool(bad)))
            all_reduce(flag, op='max')
            if flag:
                bad = {
                    f'{k} (rank {r})': v
                    for r, rank_bad in enumerate(all_gather_object(bad))
                    for k, v in rank_bad.items()
                }
        if bad:
            shown = ', '.join(f'{k} = {v}' for k, v in bad.items())
            self._stop(runner, f'non-finite loss: {shown}')

    @staticmethod
    def _logged_values(runner, outputs: dict) -> Dict[str, float]:
        """This iteration's losses (and grad_norm) as logged floats."""
        scalars = runner.message_hub.log_scalars
        values = {}
        for key, value in outputs.items():
            if 'loss' in key:
                name = f'train/{key}'
                values[key] = (
                    scalars[name].current()
                    if name in scalars else float(value))
        if 'train/grad_norm' in scalars:
            values['grad_norm'] = scalars['train/grad_norm'].current()
        return values

    def _stop(self, runner, what: str) -> None:
        last = runner.message_hub.get_info('last_ckpt')
        hint = '' if self.mode == 'skip' else (
            " Or let dict(type='FiniteLossHook', mode='skip', max_skips=N) "
            'in custom_hooks skip up to N such steps.')
        raise NonFiniteLossError(
            f'{what} at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}). Training stopped before anything '
            f'non-finite was saved. {describe_last_checkpoint(last)} '
            f'{NON_FINITE_ADVICE}{hint}')

    # ----------------------------------------------------------- 'skip'
    def before_train(self, runner) -> None:
        if self.mode != 'skip':
            return
        wrappers = runner.optim_wrapper
        if not isinstance(wrappers, OptimWrapperDict):
            wrappers = {'': wrappers}
        for wrapper in wrappers.values():
            self._guard(runner, wrapper)

    def after_train(self, runner) -> None:
        for wrapper in self._guarded:
            del wrapper.update_params, wrapper.step  # the class's again
        self._guarded = []

    def _guard(self, runner, wrapper) -> None:
        """Wrap ``wrapper.update_params`` (notes the loss) and ``step``
        (skips it when the loss or a gradient is non-finite)."""
        update_params, step = wrapper.update_params, wrapper.step
        grads_too = not isinstance(wrapper, AmpOptimWrapper)
        losses = []

        def guarded_update_params(loss, step_kwargs=None, zero_kwargs=None):
            losses.append(loss.detach())
            update_params(loss, step_kwargs, zero_kwargs)

        def guarded_step(**kwargs):
            finite = self._all_finite(wrapper, losses, grads_too)
            if finite:
                step(**kwargs)
            else:
                self._skip(runner, losses)
            losses.clear()

        wrapper.update_params = guarded_update_params
        wrapper.step = guarded_step
        self._guarded.append(wrapper)

    @staticmethod
    def _all_finite(wrapper, losses, grads_too: bool) -> bool:
        flags = [torch.isfinite(loss).all() for loss in losses]
        if grads_too:
            grads = [
                p.grad for group in wrapper.optimizer.param_groups
                for p in group['params'] if p.grad is not None
            ]
            if grads:  # max |g| is NaN or inf iff some element is
                norms = torch._foreach_norm(grads, math.inf)
                flags.append(torch.isfinite(torch.stack(norms)).all())
        if not flags:
            return True
        finite = torch.stack([f.to(flags[0].device) for f in flags]).all()
        finite = finite.to(torch.int64)
        all_reduce(finite, op='min')
        return bool(finite)

    def _skip(self, runner, losses) -> None:
        skipped = (runner.message_hub.get_info(SKIPPED) or 0) + 1
        runner.message_hub.update_info(SKIPPED, skipped)
        loss = ', '.join(f'{float(x.sum())}' for x in losses) or 'not seen'
        if skipped > self.max_skips:
            self._stop(
                runner, f'non-finite loss or gradient (loss = {loss}) '
                f'after {self.max_skips} skipped steps')
        runner.logger.warning(
            f'FiniteLossHook: skipped the optimizer step of iteration '
            f'{runner.iter + 1}: the loss ({loss}) or a gradient is NaN or '
            f'infinite ({skipped} of at most {self.max_skips} skips)')
