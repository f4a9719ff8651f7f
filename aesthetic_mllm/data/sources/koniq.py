"""KonIQ-10k: either release file, laid out as the official repository ships it.

* ``metadata/koniq10k_distributions_sets.csv`` (``image_name,c1..c5,c_total,MOS,SD,set``): ``c1..c5``
  are *fractions* summing to 1, ``MOS`` is on **0-100**, ``SD`` on 1-5; ``set`` (``training`` /
  ``validation`` / ``test``) gives the split.
* ``koniq10k_scores_and_distributions.csv`` (``image_name,c1..c5,c_total,MOS,SD,MOS_zscore``):
  ``c1..c5`` vote *counts*, ``MOS`` on **1-5**, ``MOS_zscore`` ~0-100; no split.

The native range is detected from the header (``MOS_zscore`` -> 1-5; ``set`` without
``MOS_zscore`` -> 0-100) unless the ``score_range`` option says otherwise; ``result.info`` says which
and why. Histograms are vote counts in both cases (``histogram_kind="counts"``): the sets file's
fractions are multiplied by ``c_total`` (kept as fractions, ``histogram_kind="fractions"``, when a
row has no ``c_total``). ``SD``, ``c_total`` and ``MOS_zscore`` go to ``meta``. Images are in
``images/1024x768/`` or ``images/512x384/`` beside ``metadata/`` (older copies: ``1024x768/``,
``512x384/`` at the root); ``image_dir`` (relative to the dataset root) chooses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Problems
from ._common import Collector, choose_range, numeric_attributes, paused_gc, pick_file, resolve_root, to_float
from ._tables import read_table
from .registry import SourceResult, register_source

SCORES_RANGE = (1.0, 5.0)
SETS_RANGE = (0.0, 100.0)
SETS_FILE = "koniq10k_distributions_sets.csv"
SCORES_FILE = "koniq10k_scores_and_distributions.csv"
FILES = (f"metadata/{SETS_FILE}", SETS_FILE, SCORES_FILE, f"metadata/{SCORES_FILE}")
IMAGE_DIRS = ("images/1024x768", "images/512x384", "1024x768", "512x384")
BINS = ("c1", "c2", "c3", "c4", "c5")
SETS = {"training": "train", "train": "train", "validation": "val", "val": "val", "test": "test"}


def _header(path: Path) -> list[str]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig") as handle:
        return [c.strip().strip('"') for c in handle.readline().split(",")]


def detect_range(header: list[str]) -> tuple[tuple[float, float], str] | None:
    """The MOS range that the release file with this header uses, and why (None when unknown)."""
    if "MOS_zscore" in header:
        return SCORES_RANGE, f"header: MOS_zscore column, so {SCORES_FILE} with MOS on 1-5"
    if "set" in header:
        return SETS_RANGE, f"header: set column without MOS_zscore, so {SETS_FILE} with MOS on 0-100"
    return None


def _histogram(values: dict[str, Any], fractions: bool) -> tuple[list[float], str] | None:
    bins = [to_float(values.get(b)) for b in BINS]
    if any(b is None for b in bins):
        return None
    if not fractions:
        return bins, "counts"  # type: ignore[return-value]
    total = to_float(values.get("c_total"))
    if not total:
        return bins, "fractions"  # type: ignore[return-value]
    counts = [b * total for b in bins]  # type: ignore[operator]
    return [float(round(n)) if abs(n - round(n)) < 0.01 else n for n in counts], "counts"


@register_source("koniq")
@paused_gc()
def load_koniq(root: str | Path, split: str | None = None, problems: Problems | None = None,
               limit: int | None = None, *, file: str | None = None, image_dir: str | None = None,
               score_range: Any = None, **options: Any) -> SourceResult:
    """Read KonIQ-10k from ``root`` (options: ``file``, ``image_dir``, ``score_range``)."""
    base = resolve_root(root, "koniq")
    c = Collector("koniq", problems, split, limit, split_hint=f"use {SETS_FILE} (its set column)", **options)
    path = pick_file(base, file, FILES)
    folder = base if base.is_dir() else path.parent
    folder = folder.parent if folder.name == "metadata" else folder
    images = folder / image_dir if image_dir is not None else next(
        (folder / d for d in IMAGE_DIRS if (folder / d).is_dir()), folder / IMAGE_DIRS[0])
    header = _header(path)
    native = choose_range(c, score_range, detect_range(header), SCORES_RANGE)
    fractions = "set" in header and "MOS_zscore" not in header
    c.info.update(file=str(path), image_dir=str(images))
    name = str(path)

    def split_of(values: dict[str, Any]) -> str | None:
        return SETS.get(str(values.get("set") or "").strip().lower())

    def keep(values: dict[str, Any]) -> bool:
        raw = values.get("set")
        if raw is not None and split_of(values) is None:
            return c.split is None  # an unknown set value is reported below, only in whole-file reads
        return c.wants(split_of(values) if "set" in values else None, name)

    for row, values in read_table(path, c.problems, required=["image_name", "MOS", *BINS],
                                  image_column="image_name", keep=keep):
        image = values["image_name"]
        if "set" in values and split_of(values) is None:
            c.report(name, f"bad value: set {values['set']!r} not one of {sorted(SETS)}", row, "set", image)
            continue
        score = c.number(values["MOS"], name, row, "MOS", native, image)
        histogram = _histogram(values, fractions)
        if histogram is None:
            bad = next(b for b in BINS if to_float(values.get(b)) is None)
            c.number(values[bad], name, row, bad, image=image)
            continue
        if score is None:
            continue
        meta = numeric_attributes(values, ("SD", "MOS_zscore", "c_total"))
        c.add(name, row, id=image, images=[images / image], image_field="image_name", score=score,
              score_range=native, histogram=histogram[0], histogram_kind=histogram[1],
              split=split_of(values) if "set" in values else None, meta=meta)
        if c.done:
            break
    return c.result()
