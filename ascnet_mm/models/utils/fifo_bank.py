from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor


class FIFOBank(nn.Module):
    """Ring buffer of past embeddings and labels, saved with the checkpoint.

    Each field ``name`` is a buffer ``bank.<name>`` of shape (size, *shape);
    ``ptr`` (long scalar) is the next write position and ``valid`` (size,)
    bool marks the rows written so far. ``size=0`` disables the bank.

    Args:
        size (int): number of rows.
        fields (dict): ``{name: (shape, dtype)}`` of one row.

    Example:
        >>> bank = FIFOBank(4096, dict(app=((128,), torch.float32),
        ...                             speed=((), torch.long)))
        >>> bank.enqueue(app=torch.randn(8, 128), speed=torch.ones(8).long())
    """

    def __init__(self, size: int,
                 fields: Dict[str, Tuple[Sequence[int], torch.dtype]]) -> None:
        super().__init__()
        assert size >= 0, f'size must be >= 0, got {size}'
        reserved = {'ptr', 'valid', 'size', 'fields'}
        assert not reserved & set(fields), f'field names {reserved} are taken'
        self.size = size
        self.fields = tuple(fields)
        for name, (shape, dtype) in fields.items():
            self.register_buffer(name,
                                 torch.zeros((size, *shape), dtype=dtype))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))
        self.register_buffer('valid', torch.zeros(size, dtype=torch.bool))

    @torch.no_grad()
    def enqueue(self, **tensors: Tensor) -> None:
        """Write a batch of B rows per field, (B, *shape) each, at
        ``(ptr + arange(B)) % size``; with B > size only the last ``size``
        rows are kept. Every field must be given."""
        assert set(tensors) == set(self.fields), \
            f'enqueue needs exactly the fields {self.fields}'
        if self.size == 0:
            return
        batch = next(iter(tensors.values())).shape[0]
        kept = min(batch, self.size)
        pos = (self.ptr + (batch - kept) +
               torch.arange(kept, device=self.ptr.device)) % self.size
        for name, t in tensors.items():
            buf = getattr(self, name)
            assert t.shape[0] == batch, f'{name} has {t.shape[0]} != {batch}'
            buf.index_copy_(0, pos.to(buf.device),
                            t[batch - kept:].detach().to(buf))
        self.valid.index_fill_(0, pos.to(self.valid.device), True)
        self.ptr.copy_((self.ptr + batch) % self.size)

    def extra_repr(self) -> str:
        return f'size={self.size}, fields={self.fields}'
