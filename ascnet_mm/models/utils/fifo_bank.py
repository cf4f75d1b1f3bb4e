from collections import namedtuple
from functools import lru_cache
from typing import Dict, NamedTuple, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor


@lru_cache(maxsize=None)
def _rows_type(fields: Tuple[str, ...]) -> type:
    """The named tuple of one bank's fields plus ``valid``."""
    return namedtuple('Rows', (*fields, 'valid'))


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
        >>> batch = dict(app=torch.randn(8, 128), speed=torch.ones(8).long())
        >>> rows = bank.with_batch(**batch)  # rows.app (8 + 4096, 128)
        >>> bank.enqueue(**batch)
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
            self.register_buffer(name, torch.zeros((size, *shape),
                                                   dtype=dtype))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))
        self.register_buffer('valid', torch.zeros(size, dtype=torch.bool))

    def _check(self, tensors: Dict[str, Tensor]) -> int:
        """Every field given, (B, *shape) each; returns B."""
        assert set(tensors) == set(self.fields), \
            f'expected exactly the fields {self.fields}, got {tuple(tensors)}'
        batch = next(iter(tensors.values())).shape[0]
        for name, t in tensors.items():
            assert t.shape[0] == batch, f'{name} has {t.shape[0]} != {batch}'
        return batch

    def rows(self, **tensors: Tensor) -> NamedTuple:
        """A batch of B rows per field, (B, *shape) each, as a named tuple
        of the fields plus ``valid`` (B,) bool, all True."""
        batch = self._check(tensors)
        first = tensors[self.fields[0]]
        valid = torch.ones(batch, dtype=torch.bool, device=first.device)
        return _rows_type(self.fields)(**tensors, valid=valid)

    @torch.no_grad()
    def with_batch(self, **batch: Tensor) -> NamedTuple:
        """The batch's rows followed by the bank's, for every field.

        Returns:
            named tuple: each field ``(B + size, *shape)`` and ``valid``
            ``(B + size,)`` bool: True for the batch, then the bank's mask.
        """
        rows = self.rows(**batch)
        bank = [getattr(self, name) for name in rows._fields]
        return type(rows)(*map(torch.cat, zip(rows, bank)))

    @torch.no_grad()
    def enqueue(self, **tensors: Tensor) -> None:
        """Write a batch of B rows per field, (B, *shape) each, at
        ``(ptr + arange(B)) % size``; with B > size only the last ``size``
        rows are kept. Every field must be given."""
        batch = self._check(tensors)
        if self.size == 0:
            return
        kept = min(batch, self.size)
        pos = (self.ptr + (batch - kept) +
               torch.arange(kept, device=self.ptr.device)) % self.size
        for name, t in tensors.items():
            buf = getattr(self, name)
            buf.index_copy_(0, pos.to(buf.device),
                            t[batch - kept:].detach().to(buf))
        self.valid.index_fill_(0, pos.to(self.valid.device), True)
        self.ptr.copy_((self.ptr + batch) % self.size)

    def extra_repr(self) -> str:
        return f'size={self.size}, fields={self.fields}'
