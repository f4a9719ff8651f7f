"""PCCD as redistributed with the AestheVal benchmark: ``guru_{train,validation,test}.json`` + ``images/full/``.

Each split file is a JSON list of objects with the keys ``category, color_lighting, composition,
depth_of_field, description, focus, general_impression, image_url, overall, photographer,
reviewer, score, site, subject_of_photo, title, use_of_camera``:

* ``title`` names the image, without extension and possibly with dots (``22_water.droplets``):
  the image is ``images/full/<title>.jpg``;
* the critiques are the seven aspect fields (:data:`ASPECTS`): ``record.aspects`` maps each
  non-empty one to its text, ``record.comments`` lists them in that order;
* ``overall`` (a string such as ``"9.1"``) is the score, on 0-10 (``score_range`` to override);
  ``score`` is a list of 7 per-aspect strings in :data:`SCORE_ASPECTS` order (``"N"`` = none;
  ``score_aspects`` to reorder) kept in ``attributes`` (missing ones left out);
* ``description`` is the photographer's own note, not a critique: it is kept apart in
  ``meta["description"]`` (with ``category``, ``photographer``, ``reviewer``, ``site``, ``image_url``).

A single JSON list (``file`` option, e.g. an older ``pccd.json``) is read too; its entries may
carry ``split`` and ``image`` (a file name under ``image_dir``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import Problems
from ..images import is_image_name
from ._common import Collector, choose_range, paused_gc, resolve_root
from ._tables import read_json
from .registry import SourceResult, register_source

SPLIT_FILES = {"train": "guru_train.json", "val": "guru_validation.json", "test": "guru_test.json"}
OTHER_FILES = ("pccd.json", "guru.json", "raw.json")
ASPECTS = ("general_impression", "composition", "color_lighting", "subject_of_photo", "depth_of_field", "focus",
           "use_of_camera")
SCORE_ASPECTS = ASPECTS
RANGE = (0.0, 10.0)
MISSING = {"", "N", "n", "NA", "N/A", "None", "null"}
META_KEYS = ("category", "photographer", "reviewer", "site", "image_url")
SPLIT_NAMES = {"train": "train", "training": "train", "val": "val", "validation": "val", "test": "test"}


def _missing(value: Any) -> bool:
    """``"N"`` (and empty / None) marks a score that was not given."""
    return value is None or (isinstance(value, str) and value.strip() in MISSING)


def _read(c: Collector, path: Path, images: Path, split: str | None, native: tuple[float, float],
          score_aspects: Sequence[str]) -> None:
    name = str(path)
    data = read_json(path, c.problems)
    if data is not None and not isinstance(data, list):
        c.report(name, "unreadable file: expected a JSON list of critiques")
        data = None
    for row, item in enumerate(data or [], start=1):
        item = item if isinstance(item, dict) else {}
        image = str(item.get("image") or "").strip() or str(item.get("title") or "").strip()
        if not image:
            c.report(name, "missing value: no 'title' (or 'image')", row, "title")
            continue
        if not item.get("image"):  # titles carry no extension and may contain dots
            image = f"{image}.jpg"
        elif not is_image_name(image):
            image = f"{image}.jpg"
        record_split = SPLIT_NAMES.get(str(item.get("split") or "").lower(), split)
        if not c.wants(record_split, name):
            continue
        aspects = {a: str(item[a]).strip() for a in ASPECTS if str(item.get(a) or "").strip()}
        if not aspects:
            c.report(name, "missing value: no critique text in any aspect field", row, "general_impression", image)
            continue
        overall, score = item.get("overall"), None
        if not _missing(overall):
            score = c.number(overall.strip() if isinstance(overall, str) else overall, name, row, "overall",
                             native, image)
            if score is None:
                continue
        per_aspect = item.get("score") if isinstance(item.get("score"), list) else []
        attributes: dict[str, float] | None = {}
        for aspect, raw in zip(score_aspects, per_aspect, strict=False):
            if not _missing(raw):
                value = c.number(raw.strip() if isinstance(raw, str) else raw, name, row, f"score[{aspect}]",
                                 native, image)
                if value is None:
                    attributes = None
                    break
                attributes[aspect] = value
        if attributes is None:
            continue
        meta: dict[str, Any] = {k: item[k] for k in META_KEYS if item.get(k) not in (None, "")}
        if str(item.get("description") or "").strip():
            meta["description"] = str(item["description"]).strip()
        c.add(name, row, id=image, images=[images / image], image_field="image" if item.get("image") else "title",
              image_name=image,
              comments=list(aspects.values()), aspects=aspects, score=score,
              score_range=native if score is not None else None, attributes=attributes, split=record_split,
              meta=meta)
        if c.done:
            return


@register_source("pccd")
@paused_gc()
def load_pccd(root: str | Path, split: str | None = None, problems: Problems | None = None, limit: int | None = None,
              *, file: str | None = None, image_dir: str | None = None, score_range: Any = None,
              score_aspects: Sequence[str] = SCORE_ASPECTS, **options: Any) -> SourceResult:
    """Read PCCD from ``root`` (options: ``file``, ``image_dir``, ``score_range``, ``score_aspects``)."""
    base = resolve_root(root, "pccd")
    c = Collector("pccd", problems, split, limit, split_hint="the guru_{train,validation,test}.json files", **options)
    folder = base if base.is_dir() else base.parent
    images = folder / image_dir if image_dir is not None else next(
        (folder / d for d in ("images/full", "images") if (folder / d).is_dir()), folder / "images" / "full")
    native = choose_range(c, score_range, None, RANGE, "PCCD ratings are on 0-10")
    c.info["image_dir"] = str(images)
    if file is not None or base.is_file() or not any((folder / f).is_file() for f in SPLIT_FILES.values()):
        path = base if base.is_file() else (folder / file if file is not None else next(
            (folder / f for f in OTHER_FILES if (folder / f).is_file()), folder / SPLIT_FILES["train"]))
        c.info["file"] = str(path)
        _read(c, path, images, None, native, score_aspects)
        return c.result()
    for part, name in SPLIT_FILES.items():
        path = folder / name
        if c.split not in (None, part) or c.done:
            continue
        if c.split is None and not path.is_file():
            c.warn(f"{path}: split file not found; the {part} split is empty")
            continue
        _read(c, path, images, part, native, score_aspects)
    return c.result()
