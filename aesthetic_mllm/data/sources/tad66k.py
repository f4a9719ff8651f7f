"""TAD66K: ``merge/{train,test}.csv`` (``image,score``, 1-10; CRLF line endings) and images in ``images/``.

The merged files are the authority for scores and splits. ``themes=True`` also reads the
per-theme files ``unmerge/{train,test}/<theme>.csv`` and only adds each image's themes to its
``tags`` (and ``meta["themes"]``): one record per image still. The release's theme files disagree
with the merged split (478 images that ``merge/test.csv`` lists as test appear in
``unmerge/train/{tree,flower}.csv``); such images keep their merged split and the disagreement
is reported as a warning with its counts per theme file, so no test image leaks into training.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ..errors import Problems
from ._common import Collector, choose_range, paused_gc, resolve_root
from ._tables import read_table
from .registry import SourceResult, register_source

RANGE = (1.0, 10.0)
SPLITS = ("train", "test")


def _merged_splits(base: Path) -> dict[str, str]:
    """image -> split from both merged files (names only; values are checked when records are read)."""
    out: dict[str, str] = {}
    quiet = Problems("skip")
    for part in SPLITS:
        for _, values in read_table(base / "merge" / f"{part}.csv", quiet, required=["image"]):
            out.setdefault(str(values["image"]), part)
    return out


def _themes(c: Collector, base: Path, merged: dict[str, str]) -> dict[str, list[str]]:
    """image -> themes from ``unmerge/*/<theme>.csv``; warns where a theme file contradicts the merged split."""
    themes: dict[str, list[str]] = defaultdict(list)
    contradictions: Counter[str] = Counter()
    moved: set[str] = set()
    unknown: Counter[str] = Counter()
    found = False
    for part in SPLITS:
        folder = base / "unmerge" / part
        for path in sorted(folder.glob("*.csv")):
            found = True
            for _, values in read_table(path, c.problems, required=["image"], image_column="image"):
                image = str(values["image"])
                if path.stem not in themes[image]:
                    themes[image].append(path.stem)
                if image not in merged:
                    unknown[f"unmerge/{part}/{path.name}"] += 1
                elif merged[image] != part:
                    contradictions[f"unmerge/{part}/{path.name} (merged: {merged[image]})"] += 1
                    moved.add(image)
    if not found:
        c.report(base / "unmerge", "missing file: no per-theme CSV files in unmerge/train or unmerge/test")
    if contradictions:
        detail = ", ".join(f"{k}: {n}" for k, n in sorted(contradictions.items()))
        c.warn(f"tad66k: {len(moved)} images ({sum(contradictions.values())} theme-file rows) are in another split in "
               f"unmerge/ than in merge/ ({detail}); the merged split is kept, theme files only add tags")
    if unknown:
        detail = ", ".join(f"{k}: {n}" for k, n in sorted(unknown.items()))
        c.warn(f"tad66k: {sum(unknown.values())} theme-file rows name images absent from merge/ ({detail}); ignored")
    c.info["theme_split_disagreements"] = len(moved)
    return themes


@register_source("tad66k")
@paused_gc()
def load_tad66k(root: str | Path, split: str | None = None, problems: Problems | None = None,
                limit: int | None = None, *, image_dir: str = "images", themes: bool = False,
                score_range: Any = None, **options: Any) -> SourceResult:
    """Read TAD66K from ``root`` (options: ``image_dir``, ``themes``, ``score_range``)."""
    base = resolve_root(root, "tad66k")
    c = Collector("tad66k", problems, split, limit, splits=SPLITS, **options)
    native = choose_range(c, score_range, None, RANGE, "TAD66K scores are on 1-10")
    images = base / image_dir
    tags = _themes(c, base, _merged_splits(base)) if themes else {}
    for part in SPLITS:
        if not c.wants(part, base) or c.done:
            continue
        path = base / "merge" / f"{part}.csv"
        name = str(path)
        for row, values in read_table(path, c.problems, required=["image", "score"], image_column="image"):
            image = str(values["image"])
            score = c.number(values["score"], name, row, "score", native, image)
            if score is None:
                continue
            image_tags = tags.get(image, [])
            c.add(name, row, id=image, images=[images / image], image_field="image", score=score,
                  score_range=native, split=part, tags=list(image_tags),
                  meta={"themes": list(image_tags)} if image_tags else {})
            if c.done:
                break
    return c.result()
