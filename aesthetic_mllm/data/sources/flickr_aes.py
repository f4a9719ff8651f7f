"""FLICKR-AES: per-worker ratings (PIAA, default) or per-image mean scores; images in ``40K/``.

* per worker: ``FLICKR-AES_image_labeled_by_each_worker.csv``, header ``worker, imagePair, score``
  with a space after every comma in the header *and* the rows (read as with pandas'
  ``skipinitialspace=True``). Score 1-5, ``user_id`` = worker. ``test_workers`` (ids or a file of
  ids: the 37 test workers of the PIAA protocol) marks those workers ``test``, the others ``train``.
* ``giaa=True``: ``FLICKR-AES_image_score.txt`` with ``<image_name> <score>`` lines; names may carry
  leading spaces. Its scores are not reliably on 1-5, so the range is taken from the file (1-5 or
  0-1 when every score fits, else the observed bounds rounded outward) unless the ``score_range``
  option states it; ``result.info`` (and ``data check``) says which.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import Problems
from ._common import Collector, Range, choose_range, id_set, paused_gc, resolve_root, to_float, worker_split
from ._tables import read_lines, read_table
from .registry import SourceResult, register_source

RANGE = (1.0, 5.0)
WORKER_FILE = "FLICKR-AES_image_labeled_by_each_worker.csv"
SCORE_FILE = "FLICKR-AES_image_score.txt"


def range_from_file(path: Path) -> tuple[Range, str] | None:
    """The GIAA range the score file's values imply, and why (None when the file has no numbers)."""
    values = []
    if path.is_file():
        with open(path, encoding="utf-8-sig") as handle:
            for line in handle:
                fields = line.split()
                if len(fields) == 2 and (number := to_float(fields[1])) is not None:
                    values.append(number)
    if not values:
        return None
    low, high = min(values), max(values)
    seen = f"scores {low:g}..{high:g} in {path.name}"
    for candidate in (RANGE, (0.0, 1.0)):
        if candidate[0] <= low and high <= candidate[1]:
            return candidate, f"file: {seen}, all within {candidate[0]:g}-{candidate[1]:g}"
    bounds = (float(math.floor(low)), float(math.ceil(high)))
    if bounds[0] == bounds[1]:
        bounds = (bounds[0], bounds[0] + 1.0)
    return bounds, f"file: {seen}, not on 1-5, so the observed bounds rounded outward"


def _workers(c: Collector, path: Path, images: Path, test_workers: set[str] | None, native: Range) -> None:
    name = str(path)
    keep = c.keep_workers("worker", test_workers, name)
    for row, values in read_table(path, c.problems, required=["worker", "imagePair", "score"],
                                  image_column="imagePair", keep=keep):
        worker, image = values["worker"], values["imagePair"]
        split = worker_split(worker, test_workers)
        score = c.number(values["score"], name, row, "score", native, image)
        if score is not None:
            c.add(name, row, id=f"{worker}/{image}", images=[images / image], image_field="imagePair",
                  score=score, score_range=native, user_id=worker, split=split)
        if c.done:
            return


def _images(c: Collector, path: Path, images: Path, native: Range) -> None:
    name = str(path)
    for row, (image, value) in read_lines(path, c.problems, columns=2):
        score = c.number(value, name, row, "score", native, image)
        if score is not None:
            c.add(name, row, id=image, images=[images / image], image_field="image_name",
                  score=score, score_range=native)
        if c.done:
            return


@register_source("flickr_aes")
@paused_gc()
def load_flickr_aes(root: str | Path, split: str | None = None, problems: Problems | None = None,
                    limit: int | None = None, *, giaa: bool = False, image_dir: str = "40K",
                    test_workers: str | Path | list[str] | None = None, score_range: Any = None,
                    **options: Any) -> SourceResult:
    """Read FLICKR-AES from ``root`` (options: ``giaa``, ``image_dir``, ``test_workers``, ``score_range``)."""
    base = resolve_root(root, "flickr_aes")
    c = Collector("flickr_aes", problems, split, limit, splits=("train", "test"),
                  split_hint="pass test_workers=<ids>", **options)
    if giaa:
        path = base / SCORE_FILE
        native = choose_range(c, score_range, range_from_file(path), RANGE, "no readable scores in the file")
        _images(c, path, base / image_dir, native)
    else:
        native = choose_range(c, score_range, None, RANGE, "worker ratings are integers 1-5")
        _workers(c, base / WORKER_FILE, base / image_dir, id_set(test_workers, base), native)
    return c.result()
