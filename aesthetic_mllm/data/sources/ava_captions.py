"""AVA-Captions: comments on AVA images from one JSON file; images ``images/<image_id>.jpg``.

Accepted layouts (``file`` option, default ``CLEAN_AVA_FULL_AFTER_SUBJECTIVE_CLEANING.json`` or
``ava_captions.json``):

* Karpathy style (the release): ``{"images": [{"filename": "953619.jpg", "split": "train",
  "sentences": [{"raw": "...", "clean": "...", "tokens": [...]}]}]}`` (``restval`` counts as train).
  ``comments`` holds the ``clean`` text (``text`` option: ``clean`` by default, as the published
  caption metrics use it; ``raw`` or ``tokens`` to choose), ``meta["raw_comments"]`` the ``raw`` texts;
* a mapping ``{"953619": ["comment", ...]}`` (no split);
* a list ``[{"image_id": "953619", "comments": [...], "split": "test"}]``.

``exclude`` (ids or a file of ids, e.g. the AVA test list) drops those images, as caption
training must.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ._common import Collector, id_set, paused_gc, pick_file, resolve_root
from ._tables import read_json
from .registry import SourceResult, register_source

FILES = ("CLEAN_AVA_FULL_AFTER_SUBJECTIVE_CLEANING.json", "ava_captions.json")
SPLIT_NAMES = {"train": "train", "restval": "train", "val": "val", "test": "test"}


TEXT_FIELDS = ("clean", "raw", "tokens")


def _text(sentence: Any, field: str = "clean") -> str:
    """One comment's text in ``field`` (``clean`` / ``raw`` / ``tokens`` joined), falling back on the others."""
    if not isinstance(sentence, dict):
        return str(sentence).strip()
    for name in (field, *(f for f in TEXT_FIELDS if f != field)):
        value = sentence.get(name)
        if isinstance(value, list):
            value = " ".join(str(t) for t in value)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _entries(data: Any) -> Iterator[tuple[int, Any, Any, Any]]:
    """``(row, image id or file name, comments, split)`` for each layout."""
    if isinstance(data, dict) and isinstance(data.get("images"), list):
        for row, item in enumerate(data["images"], start=1):
            item = item if isinstance(item, dict) else {}
            yield row, item.get("filename") or item.get("image_id"), item.get("sentences"), item.get("split")
    elif isinstance(data, dict):
        for row, (image_id, comments) in enumerate(data.items(), start=1):
            yield row, image_id, comments, None
    elif isinstance(data, list):
        for row, item in enumerate(data, start=1):
            item = item if isinstance(item, dict) else {}
            yield row, item.get("image_id") or item.get("id"), item.get("comments"), item.get("split")


@register_source("ava_captions")
@paused_gc()
def load_ava_captions(root: str | Path, split: str | None = None, problems: Problems | None = None,
                      limit: int | None = None, *, file: str | None = None, image_dir: str = "images",
                      exclude: str | Path | list[str] | None = None, text: str = "clean",
                      **options: Any) -> SourceResult:
    """Read AVA-Captions from ``root`` (options: ``file``, ``image_dir``, ``exclude``, ``text``)."""
    base = resolve_root(root, "ava_captions")
    if text not in TEXT_FIELDS:
        raise ValueError(f"ava_captions: text must be one of {TEXT_FIELDS}, got {text!r}")
    c = Collector("ava_captions", problems, split, limit, **options)
    c.info["text"] = text
    path = pick_file(base, file, FILES)
    images = (base if base.is_dir() else path.parent) / image_dir
    excluded = {i.removesuffix(".jpg") for i in id_set(exclude, path.parent) or ()}
    name = str(path)
    for row, image, comments, raw_split in _entries(read_json(path, c.problems)):
        if not image:
            c.problems.report(DataError(name, "missing value: no image id", row, "image_id"))
            continue
        image_id = str(image).removesuffix(".jpg")
        if image_id in excluded:
            continue
        record_split = SPLIT_NAMES.get(str(raw_split), str(raw_split)) if raw_split else None
        if not c.wants(record_split, name):
            continue
        sentences = [s for s in (comments if isinstance(comments, list) else []) if _text(s, text)]
        if not sentences:
            c.report(name, "missing value: no comments", row, "comments", f"{image_id}.jpg")
            continue
        raw = [_text(s, "raw") for s in sentences]
        c.add(name, row, id=image_id, images=[images / f"{image_id}.jpg"], image_field="image_id",
              comments=[_text(s, text) for s in sentences], split=record_split,
              meta={"raw_comments": raw} if any(isinstance(s, dict) for s in sentences) else {})
        if c.done:
            break
    return c.result()
