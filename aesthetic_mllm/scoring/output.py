"""Write per-image results (scores, comments, advice) to a file, the format chosen by its extension.

``.csv``: one row per image, nested values flattened (``range`` -> ``range_lo,range_hi``,
``distribution`` -> ``p_<word>``); ``.jsonl``: one JSON object per line; ``.json``: one JSON list.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMATS = (".csv", ".jsonl", ".json")


def output_format(path: str | Path) -> str:
    """The format named by ``path``'s extension; a clear error for any other extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: --output must end in {', '.join(FORMATS)} (got {suffix or 'no extension'!r})")
    return suffix


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: ``range`` -> ``range_lo``/``range_hi``, ``distribution`` -> ``p_<word>`` columns."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if key == "range":
            flat["range_lo"], flat["range_hi"] = value
        elif key == "distribution":
            flat.update({f"p_{word}": p for word, p in value.items()})
        else:
            flat[key] = value
    return flat


def write_rows(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write ``rows`` to ``path`` as CSV, JSON Lines or JSON (by extension); returns the path."""
    path = Path(path)
    fmt = output_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == ".json":
        path.write_text(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    elif fmt == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        flat = [flatten(r) for r in rows]
        fields = list(dict.fromkeys(k for r in flat for k in r))
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(flat)
    return path
