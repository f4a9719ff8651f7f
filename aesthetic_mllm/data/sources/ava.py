"""AVA: ``AVA.txt`` (15 space-separated columns, no header) and ``images/<image_id>.jpg``.

Columns: ``index image_id c1..c10 tag1 tag2 challenge_id``; c_k counts votes for rating k.
Score = vote-weighted mean on 1-10, histogram = the 10 counts, tags = names from ``tags.txt``
(``id name``) when present, else the ids (0 = no tag). AVA.txt defines no split; pass
``test_list`` (a file of image ids, e.g. Q-Align's 19,930-image list, or a list) to mark
those images ``test`` and the others ``train``. The file is read line by line (255K rows).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import Problems
from ._common import Collector, id_set, paused_gc, resolve_root, to_float
from ._tables import read_lines
from .registry import SourceResult, register_source

RANGE = (1.0, 10.0)


def read_tags(path: Path) -> dict[str, str]:
    """Tag id -> name from ``tags.txt`` (empty when the file is absent)."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        pairs = (line.strip().split(maxsplit=1) for line in handle)
        return {p[0]: p[1] for p in pairs if len(p) == 2}


@register_source("ava")
@paused_gc()
def load_ava(root: str | Path, split: str | None = None, problems: Problems | None = None, limit: int | None = None,
             *, file: str = "AVA.txt", image_dir: str = "images", tags_file: str = "tags.txt",
             test_list: str | Path | list[str] | None = None, **options: Any) -> SourceResult:
    """Read AVA from ``root`` (options: ``file``, ``image_dir``, ``tags_file``, ``test_list``)."""
    base = resolve_root(root, "ava")
    c = Collector("ava", problems, split, limit, split_hint="pass test_list=<file of test image ids>", **options)
    test_ids = id_set(test_list, base)
    if test_ids is not None:
        test_ids = {i.removesuffix(".jpg") for i in test_ids}
    tags = read_tags(base / tags_file)
    c.info["score_range"], c.info["score_range_from"] = RANGE, "default: AVA votes are on 1-10"
    images = str(base / image_dir)
    path = base / file
    name = str(path)
    for row, fields in read_lines(path, c.problems, columns=15, image_at=1):
        image_id = fields[1]
        record_split = None if test_ids is None else ("test" if image_id in test_ids else "train")
        if not c.wants(record_split, name):
            continue
        counts = [n for t in fields[2:12] if (n := to_float(t)) is not None and n >= 0]
        total = sum(counts)
        if len(counts) < 10 or total <= 0:
            c.report(name, "bad value: vote counts must be non-negative numbers, not all zero", row, "c1..c10",
                     f"{image_id}.jpg")
            continue
        score = sum(k * n for k, n in enumerate(counts, start=1)) / total
        c.add(name, row, id=image_id, images=[f"{images}/{image_id}.jpg"], image_field="image_id",
              score=score, score_range=RANGE, histogram=counts, histogram_kind="counts", split=record_split,
              tags=[tags.get(t, t) for t in fields[12:14] if t != "0"], meta={"challenge": sys.intern(fields[14])})
        if c.done:
            break
    return c.result()
