"""Markdown tables, as the tools print them."""
from typing import Optional, Sequence


def markdown_table(headers: Sequence[str],
                   rows: Sequence[Sequence],
                   align: Optional[str] = None) -> str:
    """A table of ``headers`` and ``rows`` (cells through ``str``).

    ``align``: one letter per column, ``'l'`` (``---``, the default) or
    ``'r'`` (``---:``).
    """
    align = align or 'l' * len(headers)
    if len(align) != len(headers) or set(align) - set('lr'):
        raise ValueError(f"align needs one of 'l' / 'r' per column "
                         f'({len(headers)}), got {align!r}')
    lines = [
        '| ' + ' | '.join(headers) + ' |',
        '|' + ''.join(' ---: |' if a == 'r' else ' --- |' for a in align)
    ]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)
