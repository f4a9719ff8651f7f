"""SPAQ: ``Annotations/MOS and Image attribute scores.xlsx`` (read with openpyxl), images in ``TestImage/``.

Columns ``Image name, MOS, Brightness, Colorfulness, Contrast, Noisiness, Sharpness``: score = MOS
on 0-100, the five attribute scores (also 0-100) in ``attributes``. SPAQ defines no split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Problems
from ._common import Collector, choose_range, numeric_attributes, paused_gc, pick_file, resolve_root
from ._tables import read_table
from .registry import SourceResult, register_source

RANGE = (0.0, 100.0)
FILE = "Annotations/MOS and Image attribute scores.xlsx"
ATTRIBUTES = ("Brightness", "Colorfulness", "Contrast", "Noisiness", "Sharpness")


@register_source("spaq")
@paused_gc()
def load_spaq(root: str | Path, split: str | None = None, problems: Problems | None = None,
              limit: int | None = None, *, file: str | None = None, image_dir: str = "TestImage",
              **options: Any) -> SourceResult:
    """Read SPAQ from ``root`` (options: ``file``, ``image_dir``)."""
    base = resolve_root(root, "spaq")
    c = Collector("spaq", problems, split, limit, **options)
    path = pick_file(base, file, (FILE,))
    images = (base if base.is_dir() else path.parent.parent) / image_dir
    name = str(path)
    choose_range(c, None, None, RANGE, "SPAQ MOS is on 0-100")
    for row, values in read_table(path, c.problems, required=["Image name", "MOS"], image_column="Image name"):
        score = c.number(values["MOS"], name, row, "MOS", RANGE, str(values["Image name"]))
        if score is None:
            continue
        image = str(values["Image name"])
        c.add(name, row, id=image, images=[images / image], image_field="Image name", score=score,
              score_range=RANGE, attributes=numeric_attributes(values, ATTRIBUTES))
        if c.done:
            break
    return c.result()
