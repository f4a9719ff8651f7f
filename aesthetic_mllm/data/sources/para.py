"""PARA: per-user ratings (PIAA, default) or the GIAA train/test files; images ``imgs/<sessionId>/<imageName>``.

* per user: ``annotation/PARA-Images.csv`` (one row per user and image). Score =
  ``aestheticScore`` (1-5, 0.5 steps), ``user_id`` = ``userId``, the other numeric columns
  (quality, composition, color, dof, content, light, contentPreference, willingnessToShare,
  difficultyOfJudgment) in ``attributes``, ``semantic`` in ``tags``, ``imgEmotion`` and the
  user's row of ``annotation/PARA-UserInfo.csv`` (when present) in ``meta``.
  ``test_users`` (ids or a file of ids) marks those users ``test``, the others ``train``.
* ``giaa=True``: ``annotation/PARA-Giaa{Train,Test}.csv`` (``split`` picks the file): score =
  ``aestheticScore_mean``, histogram = ``aestheticScore_1.0 .. _5.0`` (9 bins), other ``*_mean``
  columns in ``attributes``, ``semantic`` in ``tags`` (as in per-user mode).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Problems
from ._common import Collector, choose_range, id_set, numeric_attributes, paused_gc, resolve_root, to_float
from ._tables import read_table
from .registry import SourceResult, register_source

RANGE = (1.0, 5.0)
BINS = tuple(f"aestheticScore_{k / 2:.1f}" for k in range(2, 11))
GIAA_FILES = {"train": "PARA-GiaaTrain.csv", "test": "PARA-GiaaTest.csv"}
_NOT_ATTRIBUTES = {"sessionId", "imageName", "userId", "aestheticScore"}


def _user_info(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    return {str(v["userId"]): v for _, v in read_table(path, Problems("skip"), required=["userId"])}


def _users(c: Collector, base: Path, images: Path, test_users: set[str] | None) -> None:
    path = base / "annotation" / "PARA-Images.csv"
    name, info = str(path), _user_info(base / "annotation" / "PARA-UserInfo.csv")
    columns: list[str] = []
    keep = None if test_users is None else (lambda v: c.wants("test" if str(v.get("userId")) in test_users
                                                             else "train", name))
    for row, values in read_table(path, c.problems, required=["sessionId", "imageName", "userId", "aestheticScore"],
                                  image_column="imageName", keep=keep):
        user = str(values["userId"])
        split = None if test_users is None else ("test" if user in test_users else "train")
        score = c.number(values["aestheticScore"], name, row, "aestheticScore", RANGE, values["imageName"])
        if score is None:
            continue
        columns = columns or [k for k in values if k not in _NOT_ATTRIBUTES]
        session, image = values["sessionId"], values["imageName"]
        meta: dict[str, Any] = {"session": session}
        if values.get("imgEmotion"):
            meta["emotion"] = values["imgEmotion"]
        if user in info:
            meta["user_info"] = info[user]
        c.add(name, row, id=f"{user}/{image}", images=[images / session / image], image_field="imageName",
              score=score, score_range=RANGE, user_id=user, split=split, meta=meta,
              attributes=numeric_attributes(values, columns),
              tags=[values["semantic"]] if values.get("semantic") else [])
        if c.done:
            return


def _giaa(c: Collector, base: Path, images: Path) -> None:
    for split, file in GIAA_FILES.items():
        if not c.wants(split, base) or c.done:
            continue
        path = base / "annotation" / file
        name = str(path)
        for row, values in read_table(path, c.problems, required=["imageName", "sessionId", "aestheticScore_mean"],
                                      image_column="imageName"):
            score = c.number(values["aestheticScore_mean"], name, row, "aestheticScore_mean", RANGE,
                             values["imageName"])
            if score is None:
                continue
            counts = [to_float(values.get(b)) for b in BINS]
            means = [k for k in values if k.endswith("_mean") and k != "aestheticScore_mean"]
            attributes = {k.removesuffix("_mean"): v for k, v in numeric_attributes(values, means).items()}
            session, image = values["sessionId"], values["imageName"]
            c.add(name, row, id=image, images=[images / session / image], image_field="imageName", score=score,
                  score_range=RANGE, split=split, attributes=attributes,
                  histogram=None if None in counts else counts, histogram_kind=None if None in counts else "counts",
                  tags=[values["semantic"]] if values.get("semantic") else [],
                  meta={"session": session, "std": to_float(values.get("aestheticScore_std"))})
            if c.done:
                return


@register_source("para")
@paused_gc()
def load_para(root: str | Path, split: str | None = None, problems: Problems | None = None, limit: int | None = None,
              *, giaa: bool = False, image_dir: str = "imgs", test_users: str | Path | list[str] | None = None,
              **options: Any) -> SourceResult:
    """Read PARA from ``root`` (options: ``giaa``, ``image_dir``, ``test_users``)."""
    base = resolve_root(root, "para")
    c = Collector("para", problems, split, limit, splits=tuple(GIAA_FILES) if giaa else ("train", "test"),
                  split_hint="pass test_users=<ids> or giaa=True", **options)
    choose_range(c, None, None, RANGE, "PARA ratings are 1-5 in 0.5 steps")
    if giaa:
        _giaa(c, base, base / image_dir)
    else:
        _users(c, base, base / image_dir, id_set(test_users, base))
    return c.result()
