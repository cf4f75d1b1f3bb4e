"""Byte counts as people read them."""


def human_bytes(n: float) -> str:
    """``n`` bytes in B, KiB, MiB or GiB: ``'512 B'``, ``'3.1 MiB'``."""
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if n < 1024 or unit == 'GiB':
            return f'{n:.1f} {unit}' if unit != 'B' else f'{n:.0f} B'
        n /= 1024
