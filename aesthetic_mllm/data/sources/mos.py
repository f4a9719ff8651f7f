"""Custom MOS files: any CSV/TSV/XLSX/JSON/JSONL with an image-path column and a score column.

``score_range`` is required (no guessing between 0-1, 1-5, 1-10 and 0-100): a missing one is
an error whatever the policy. Options: ``path_column`` (default ``image``), ``score_column``
(default ``score``), ``image_root`` (image paths are relative to it; default the file's
folder), and optional ``split_column`` (values train/val/test), ``user_column`` (per-user
rows) and ``id_column``. ``root`` is the file, or a folder with ``file`` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ._common import SPLITS, Collector, paused_gc, resolve_root
from ._tables import read_table
from .registry import SourceResult, register_source


def _range(value: Any, file: Path) -> tuple[float, float]:
    """The explicit ``score_range`` as ``(low, high)``; DataError when missing or malformed."""
    if value is None:
        raise DataError(file, "missing option: score_range is required for 'mos' (e.g. [1, 5] or [0, 100])",
                        field="score_range")
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise DataError(file, f"bad option: score_range must be [low, high], got {value!r}",
                        field="score_range") from None
    if not low < high:
        raise DataError(file, f"bad option: score_range low must be below high, got {value!r}", field="score_range")
    return low, high


@register_source("mos")
@paused_gc()
def load_mos(root: str | Path, split: str | None = None, problems: Problems | None = None, limit: int | None = None,
             *, score_range: Sequence[float] | None = None, file: str | None = None, path_column: str = "image",
             score_column: str = "score", image_root: str | Path | None = None, split_column: str | None = None,
             user_column: str | None = None, id_column: str | None = None, **options: Any) -> SourceResult:
    """Read a custom MOS table (see the module docstring for the options)."""
    base = resolve_root(root, "mos")
    path = base if file is None else base / file
    score_range = _range(score_range, path)
    if path.is_dir():
        raise ValueError(f"mos: {path} is a folder; pass file=<the CSV/JSONL file in it>")
    c = Collector("mos", problems, split, limit, split_hint="pass split_column=<column>", **options)
    images = Path(image_root).expanduser().resolve() if image_root else path.parent
    name = str(path)
    required = [path_column, score_column] + [col for col in (split_column, user_column, id_column) if col]
    c.info["score_range"], c.info["score_range_from"] = score_range, "option: score_range (required for 'mos')"
    for row, values in read_table(path, c.problems, required=required, image_column=path_column):
        record_split = str(values[split_column]).lower() if split_column else None
        if record_split is not None and record_split not in SPLITS:
            c.report(name, f"bad value: split {record_split!r} not in {SPLITS}", row, split_column,
                     str(values[path_column]))
            continue
        if not c.wants(record_split, name):
            continue
        score = c.number(values[score_column], name, row, score_column, score_range, str(values[path_column]))
        if score is None:
            continue
        image = str(values[path_column])
        user = str(values[user_column]) if user_column else None
        record_id = str(values[id_column]) if id_column else (f"{user}/{image}" if user else image)
        c.add(name, row, id=record_id, images=[images / image], image_field=path_column, score=score,
              score_range=score_range, split=record_split, user_id=user)
        if c.done:
            break
    return c.result()
