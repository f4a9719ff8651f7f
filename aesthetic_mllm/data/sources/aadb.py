"""AADB: per-worker ratings (PIAA) or the official per-image GIAA lists, as the release ships them.

* ``imgListFiles_label/AADB_AllinAll.csv`` (default; ``AllinAll.csv`` at the root or in
  ``imgListFiles_label/`` too): the raw AMT file, every header field quoted, one row per HIT of
  up to 10 images: ``WorkerId``, ``Input.image_url1..10``, ``Answer.overallScore1..10`` (1-5;
  **0 = no answer**: skipped and counted as ``no answer``, never a problem) and the 11 attribute
  answers ``Answer.<attribute>1..10`` as text ``Positive`` / ``Negative`` / ``Neutral`` / empty
  (the light attribute's column is ``choiceLight``), read as +1 / -1 / 0 / missing into
  ``attributes`` (``choiceLight`` as ``light``). Image names are built ``farmN_<dir>_<file>`` from the URL.
* a derived per-worker CSV ``worker,image_name,score`` (recognised by its header).
* ``giaa=True``: ``imgListFiles_label/imgList{Train,Validation,TestNew}Regression_score.txt``
  (``<image_name> <score>``, score 0-1, splits train/val/test); with ``attributes=True`` also the
  per-attribute lists ``imgList<Split>Regression_<Attribute>.txt`` (values -1..1) into ``attributes``.

Worker-level scores are the 1-5 ratings (``score_range`` option to override); ``test_workers``
(ids or a file of ids) marks those workers' rows ``test`` and the others ``train``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import DataError, Problems
from ._common import (
    Collector,
    Range,
    choose_range,
    id_set,
    paused_gc,
    pick_dir,
    pick_file,
    resolve_root,
    to_float,
    worker_split,
)
from ._tables import check_columns, read_lines, read_table
from .registry import SourceResult, register_source

WORKER_RANGE = (1.0, 5.0)
GIAA_RANGE = (0.0, 1.0)
ATTRIBUTE_RANGE = (-1.0, 1.0)
GIAA_STEMS = {"train": "imgListTrainRegression", "val": "imgListValidationRegression", "test": "imgListTestNewRegression"}
GIAA_FILES = {split: f"{stem}_score.txt" for split, stem in GIAA_STEMS.items()}
RAW_FILES = ("imgListFiles_label/AADB_AllinAll.csv", "AADB_AllinAll.csv", "imgListFiles_label/AllinAll.csv",
             "AllinAll.csv")
IMAGE_DIRS = ("datasetImages_originalSize", "datasetImages_warp256", "images")
ANSWERS = {"positive": 1.0, "negative": -1.0, "neutral": 0.0}
NO_ANSWER = "no answer"
# the 11 attributes under the names the release and the papers use (lower case); another Answer.* column
# holding free text is left out with a warning instead of failing every row
KNOWN_ATTRIBUTES = frozenset({"balancingelement", "balancingelements", "visualbalance", "colorharmony", "content",
                              "dof", "light", "motionblur", "object", "objectemphasis", "repetition", "ruleofthirds",
                              "symmetry", "vividcolor", "strongcolor"})
_ANSWER = re.compile(r"^(?:Answer\.)?(overallScore|choiceLight|[A-Za-z]+?)(\d+)$")
_URL = re.compile(r"^Input\.image_url(\d+)$")


def image_name_from_url(url: str) -> str | None:
    """``http://farm3.staticflickr.com/2838/97_ab_b.jpg`` -> ``farm3_2838_97_ab_b.jpg`` (None if not so)."""
    parsed = urlparse(url.strip())
    parts = [p for p in parsed.path.split("/") if p]
    farm = parsed.netloc.split(".")[0]
    if not farm.startswith("farm") or len(parts) < 2:
        return None
    return f"{farm}_{parts[-2]}_{parts[-1]}"


def _slots(header: list[str]) -> dict[str, dict[str, str]]:
    """Per image slot k: ``url``, ``score`` and attribute columns of the raw file."""
    slots: dict[str, dict[str, str]] = {}
    for column in header:
        if (m := _URL.match(column)) is not None:
            slots.setdefault(m.group(1), {})["url"] = column
        elif (column.startswith("Answer.") or column.startswith("choiceLight")) and (m := _ANSWER.match(column)):
            name = {"overallScore": "score", "choiceLight": "light"}.get(m.group(1), m.group(1))
            slots.setdefault(m.group(2), {})[name] = column
    return slots


def answer_value(text: Any) -> float | None | str:
    """A text attribute answer as +1 / -1 / 0; None when empty; the text itself when unknown."""
    if text is None or not str(text).strip():
        return None
    key = str(text).strip().lower()
    if key in ANSWERS:
        return ANSWERS[key]
    number = to_float(key)
    return number if number is not None and -1.0 <= number <= 1.0 else str(text)


def _attributes(c: Collector, values: dict[str, Any], columns: dict[str, str], file: str, row: int,
                image: str, free_text: set[str]) -> dict[str, float] | None:
    """One slot's text answers as numbers (empty ones left out); None (reported) on an unknown answer.

    An unknown ``Answer.*`` column with free text joins ``free_text`` and is left out from then on.
    """
    attributes: dict[str, float] = {}
    for attribute, column in columns.items():
        if attribute in ("url", "score") or attribute in free_text:
            continue
        value = answer_value(values.get(column))
        if isinstance(value, str):
            if attribute.lower() not in KNOWN_ATTRIBUTES:
                free_text.add(attribute)
                attributes.pop(attribute, None)
                continue
            c.report(file, f"bad value: {value!r} is not Positive, Negative, Neutral or empty", row, column, image)
            return None
        if value is not None:
            attributes[attribute] = value
    return attributes


def _raw(c: Collector, path: Path, images: Path, score_range: Range, test_workers: set[str] | None) -> None:
    name, slots, free_text = str(path), None, set()
    keep = c.keep_workers("WorkerId", test_workers, name)
    for row, values in read_table(path, c.problems, required=["WorkerId"], keep=keep):
        if slots is None:
            slots = _slots(list(values))
            if not check_columns(path, list(values), ["Input.image_url1", "Answer.overallScore1"], c.problems):
                return
        worker = values["WorkerId"]
        split = worker_split(worker, test_workers)
        for columns in slots.values():
            url = values.get(columns.get("url", ""))
            if not url or "score" not in columns:
                continue
            image = image_name_from_url(url)
            if image is None:
                c.report(name, f"bad value: cannot build an image name from URL {url!r}", row, columns["url"])
                continue
            raw_score = values.get(columns["score"])
            if to_float(raw_score) == 0.0:
                c.problems.skip(DataError(name, f"{NO_ANSWER}: overall score 0 (the worker gave none)", row,
                                          columns["score"], image))
                continue
            score = c.number(raw_score, name, row, columns["score"], score_range, image)
            if score is None:
                continue
            attributes = _attributes(c, values, columns, name, row, image, free_text)
            if attributes is None:
                continue
            c.add(name, row, id=f"{worker}/{image}", images=[images / image], image_field=columns["url"],
                  score=score, score_range=score_range, user_id=worker, attributes=attributes, split=split)
            if c.done:
                break
        if c.done:
            break
    for attribute in sorted(free_text):
        for record in c.records:
            record.attributes.pop(attribute, None)
        c.warn(f"{name}: Answer.{attribute}<k> holds free text, not Positive/Negative/Neutral; left out of attributes")


def _derived(c: Collector, path: Path, images: Path, score_range: Range, test_workers: set[str] | None) -> None:
    name = str(path)
    keep = c.keep_workers("worker", test_workers, name)
    for row, values in read_table(path, c.problems, required=["worker", "image_name", "score"],
                                  image_column="image_name", keep=keep):
        worker, image = values["worker"], values["image_name"]
        if to_float(values["score"]) == 0.0:
            c.problems.skip(DataError(name, f"{NO_ANSWER}: score 0 (the worker gave none)", row, "score", image))
            continue
        score = c.number(values["score"], name, row, "score", score_range, image)
        if score is None:
            continue
        split = worker_split(worker, test_workers)
        c.add(name, row, id=f"{worker}/{image}", images=[images / image], image_field="image_name",
              score=score, score_range=score_range, user_id=worker, split=split)
        if c.done:
            return


def _attribute_lists(c: Collector, labels: Path, split: str) -> dict[str, dict[str, float]]:
    """image -> {attribute: value} from ``imgList<Split>Regression_<Attribute>.txt`` (values -1..1)."""
    out: dict[str, dict[str, float]] = {}
    for path in sorted(labels.glob(f"{GIAA_STEMS[split]}_*.txt")):
        attribute = path.stem.removeprefix(f"{GIAA_STEMS[split]}_")
        if attribute == "score":
            continue
        for row, (image, value) in read_lines(path, c.problems, columns=2):
            number = c.number(value, str(path), row, attribute, ATTRIBUTE_RANGE, image)
            if number is not None:
                out.setdefault(image, {})[attribute] = number
    return out


def _giaa(c: Collector, base: Path, images: Path, with_attributes: bool) -> None:
    labels = base / "imgListFiles_label"
    for split, file in GIAA_FILES.items():
        path = labels / file
        if c.split not in (None, split) or (c.split is None and split == "val" and not path.is_file()):
            continue
        attributes = _attribute_lists(c, labels, split) if with_attributes else {}
        if with_attributes and not attributes:
            c.warn(f"{labels}: no per-attribute lists {GIAA_STEMS[split]}_<Attribute>.txt for the {split} split")
        for row, (image, value) in read_lines(path, c.problems, columns=2):
            score = c.number(value, str(path), row, "score", GIAA_RANGE, image)
            if score is not None:
                c.add(str(path), row, id=image, images=[images / image], image_field="image_name",
                      score=score, score_range=GIAA_RANGE, split=split, attributes=attributes.get(image, {}))
            if c.done:
                return


@register_source("aadb")
@paused_gc()
def load_aadb(root: str | Path, split: str | None = None, problems: Problems | None = None, limit: int | None = None,
              *, file: str | None = None, giaa: bool = False, attributes: bool = False, image_dir: str | None = None,
              score_range: Any = None, test_workers: str | Path | list[str] | None = None,
              **options: Any) -> SourceResult:
    """Read AADB from ``root`` (options: ``file``, ``giaa``, ``attributes``, ``image_dir``, ``score_range``,
    ``test_workers``)."""
    base = resolve_root(root, "aadb")
    c = Collector("aadb", problems, split, limit, splits=tuple(GIAA_FILES) if giaa else ("train", "test"),
                  split_hint="pass test_workers=<ids> or giaa=True", **options)
    images = pick_dir(base, image_dir, IMAGE_DIRS)
    c.info["image_dir"] = str(images)
    if giaa:
        choose_range(c, score_range, None, GIAA_RANGE, "the official GIAA lists are on 0-1")
        _giaa(c, base, images, attributes)
        return c.result()
    native = choose_range(c, score_range, None, WORKER_RANGE, "AMT answers 1-5; 0 = no answer")
    path = pick_file(base, file, RAW_FILES)
    c.info["file"] = str(path)
    header = _first_line(path)
    reader = _derived if header is not None and "WorkerId" not in header else _raw
    reader(c, path, images, native, id_set(test_workers, base))
    return c.result()


def _first_line(path: Path) -> str | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8-sig") as handle:
        return handle.readline()
