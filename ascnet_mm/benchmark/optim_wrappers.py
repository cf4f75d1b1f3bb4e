"""Optim wrappers of the training-step benchmark, per precision."""
import contextlib

import torch
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast


class CPUAutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose ``optim_context`` autocasts on the CPU (bf16
    needs no loss scaling; mmengine's ``AmpOptimWrapper`` asserts a GPU).

    Args:
        optimizer (torch.optim.Optimizer): The optimizer.
        dtype (torch.dtype): The autocast dtype.
        **kwargs: ``OptimWrapper`` arguments.
    """

    def __init__(self,
                 optimizer,
                 dtype: torch.dtype = torch.bfloat16,
                 **kwargs) -> None:
        super().__init__(optimizer, **kwargs)
        self.cast_dtype = dtype

    @contextlib.contextmanager
    def optim_context(self, model):
        with super().optim_context(model), autocast(
                device_type='cpu', dtype=self.cast_dtype):
            yield


def optim_wrapper(module: torch.nn.Module, cfg, precision: str,
                  device: str) -> OptimWrapper:
    """SGD with the config's ``optim_wrapper.optimizer`` arguments in an
    ``OptimWrapper`` (``precision='none'``), an ``AmpOptimWrapper`` (bf16 /
    fp16 on a GPU) or a :class:`CPUAutocastOptimWrapper` (bf16 on the
    CPU)."""
    from mmengine.optim import AmpOptimWrapper
    opt_cfg = dict(cfg.optim_wrapper.optimizer)
    opt_cfg.pop('type', None)
    optimizer = torch.optim.SGD(module.parameters(), **opt_cfg)
    if precision == 'none':
        return OptimWrapper(optimizer)
    dtype = dict(bf16=torch.bfloat16, fp16=torch.float16)[precision]
    if device.startswith('cuda'):
        return AmpOptimWrapper(optimizer=optimizer, dtype=dtype)
    if precision != 'bf16':
        raise ValueError('on the CPU only bf16 autocast is supported; use '
                         '--amp none bf16')
    return CPUAutocastOptimWrapper(optimizer, dtype=dtype)
