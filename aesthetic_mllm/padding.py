"""The one padding routine: integer rows of different lengths -> one (rows, width) tensor and its mask."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def pad_rows(rows: Sequence[Sequence[int]], value: int, width: int | None = None,
             side: str = "right") -> tuple[torch.Tensor, torch.Tensor]:
    """``(padded, mask)``: each row placed on the ``side``'s end of a ``width``-wide row (default the longest)
    filled with ``value``; ``mask`` is 1 where a row's own entries are."""
    if side not in ("right", "left"):
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    width = max((len(r) for r in rows), default=0) if width is None else width
    padded = torch.full((len(rows), width), value, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        if len(row) > width:
            raise ValueError(f"row {i} has {len(row)} entries, more than the width {width}")
        cols = slice(0, len(row)) if side == "right" else slice(width - len(row), width)
        padded[i, cols] = torch.as_tensor(list(row), dtype=torch.long)
        mask[i, cols] = 1
    return padded, mask
