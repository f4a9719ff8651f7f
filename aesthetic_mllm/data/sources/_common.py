"""What every source shares: root and option handling, score parsing, and the record collector.

The :class:`Collector` applies the common rules in one place: the split filter, ``limit``,
duplicate detection, image existence (``check_images``) and decoding (``verify_images``).
Problem reasons start with a short kind (``missing image``, ``bad value``, ``out of range``,
``duplicate row`` ...) so that :meth:`Problems.counts` groups them; every row problem names the
row's image. Loaders decide a row's split before checking its values, so that a bad row outside
the requested split is not reported for that split.
"""

from __future__ import annotations

import functools
import gc
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ..images import MISSING_IMAGE, check_image
from ..schema import Record
from ._tables import suggestion
from .registry import SourceResult

SPLITS = ("train", "val", "test")
Range = tuple[float, float]


def resolve_root(root: str | Path | None, source: str) -> Path:
    """The absolute dataset root (a directory or, for file sources, a file)."""
    if root is None:
        raise ValueError(f"source '{source}' needs a root (the dataset folder)")
    return Path(root).expanduser().resolve()


def pick_dir(root: Path, option: str | None, candidates: Iterable[str]) -> Path:
    """``root/option`` when given, else the first existing ``root/candidate`` (else the first one)."""
    if option is not None:
        return root / option
    candidates = list(candidates)
    return next((root / c for c in candidates if (root / c).is_dir()), root / candidates[0])


def pick_file(root: Path, option: str | None, candidates: Iterable[str]) -> Path:
    """``root`` itself when it is a file, else ``root/option`` or the first existing candidate."""
    if root.is_file():
        return root
    if option is not None:
        return root / option
    candidates = list(candidates)
    return next((root / c for c in candidates if (root / c).is_file()), root / candidates[0])


def parse_range(value: Any, source: str) -> Range:
    """A ``score_range`` option as ``(low, high)`` with low < high; ValueError otherwise."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"source '{source}': score_range must be [low, high], got {value!r}") from None
    if not low < high:
        raise ValueError(f"source '{source}': score_range low must be below high, got {value!r}")
    return low, high


def choose_range(c: Collector, option: Any, detected: tuple[Range, str] | None, default: Range,
                 note: str = "") -> Range:
    """The native score range: the ``score_range`` option, else what the data says, else ``default``.

    Records it and why (``option: score_range``, ``header: ...``, ``file: ...``, ``default: <note>``) in
    ``c.info`` (``score_range``, ``score_range_from``) for ``data check`` to print.
    """
    if option is not None:
        chosen, why = parse_range(option, c.source), "option: score_range"
    elif detected is not None:
        chosen, why = detected
    else:
        chosen, why = default, "default" + (f": {note}" if note else "")
    c.info["score_range"], c.info["score_range_from"] = chosen, why
    return chosen


def id_set(value: str | Path | Iterable[str] | None, root: Path) -> set[str] | None:
    """Ids from a list, or from a text file (first token of each line; relative to ``root``)."""
    if value is None:
        return None
    if isinstance(value, (str, Path)):
        path = Path(value).expanduser()
        path = path if path.is_absolute() or path.exists() else root / path
        if not path.is_file():
            raise DataError(path, "missing file: id list not found")
        with open(path, encoding="utf-8-sig") as handle:
            return {line.split()[0] for line in handle if line.strip()}
    return {str(v).strip() for v in value}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic records (it rescans them all
    repeatedly: ~40% of the time of a 255K-row load); restores the previous state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.lru_cache(maxsize=1 << 16)
def _parse(text: str) -> float | None:
    # Cached: repeated values (vote counts, 0.5-step ratings) share one float object.
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def to_float(value: Any) -> float | None:
    """``value`` as a finite float, else None (empty, non-numeric, NaN, inf)."""
    if isinstance(value, str):
        return _parse(value)
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def numeric_attributes(row: dict[str, Any], columns: Iterable[str]) -> dict[str, float]:
    """The finite numeric values of ``columns`` in ``row`` (others left out)."""
    out = {}
    for column in columns:
        number = to_float(row.get(column))
        if number is not None:
            out[column] = number
    return out


def worker_split(worker: str | None, test_workers: set[str] | None) -> str | None:
    """The split of one worker's ratings: ``test`` for a held-out worker, else ``train`` (None without held-out workers)."""
    return None if test_workers is None else ("test" if worker in test_workers else "train")


class Collector:
    """Builds the records of one source load under the common rules."""

    def __init__(self, source: str, problems: Problems | None, split: str | None = None, limit: int | None = None,
                 *, splits: tuple[str, ...] = SPLITS, split_hint: str = "", check_images: bool = True,
                 verify_images: bool = False, max_image_pixels: int | None = None, **unknown: Any) -> None:
        if unknown:
            raise ValueError(f"unknown option(s) for source '{source}': {', '.join(sorted(unknown))}"
                             f"{suggestion(next(iter(unknown)), ['check_images', 'verify_images', 'max_image_pixels'])}")
        if split is not None and split not in splits:
            raise ValueError(f"source '{source}' has splits {splits}, got {split!r}{suggestion(split, splits)}")
        self.source, self.split, self.limit, self.split_hint = source, split, limit, split_hint
        self.problems = problems if problems is not None else Problems()
        self.check_images, self.verify_images, self.max_image_pixels = check_images, verify_images, max_image_pixels
        self.records: list[Record] = []
        self.info: dict[str, Any] = {}
        self.warnings: list[str] = []
        self._seen: dict[Any, tuple[str, int | None]] = {}

    @property
    def done(self) -> bool:
        """True once ``limit`` records are collected."""
        return self.limit is not None and len(self.records) >= self.limit

    def wants(self, split: str | None, file: str | Path) -> bool:
        """Whether a record of ``split`` passes the requested split (error if the data has none)."""
        if self.split is None or split == self.split:
            return True
        if split is None:
            raise DataError(file, f"no split: source '{self.source}' defines no '{self.split}' split for this data"
                                  f"{'; ' + self.split_hint if self.split_hint else ''}", field="split")
        return False

    def keep_workers(self, column: str, test_workers: set[str] | None, file: str | Path):
        """A row filter for ``read_table`` keeping the rows whose worker (``column``) falls in the requested
        split (None when no workers are held out: every row is kept)."""
        if test_workers is None:
            return None
        return lambda values: self.wants(worker_split(values.get(column), test_workers), file)

    def number(self, value: Any, file: str | Path, row: int | None, field: str,
               score_range: Range | None = None, image: str | None = None) -> float | None:
        """Parse a required number, checking ``score_range``; report (naming ``image``) and return None if bad."""
        number = to_float(value)
        if number is None:
            self.problems.report(DataError(file, f"bad value: {value!r} is not a finite number", row, field, image))
            return None
        if score_range is not None and not score_range[0] <= number <= score_range[1]:
            self.problems.report(DataError(
                file, f"out of range: {number:g} not in [{score_range[0]:g}, {score_range[1]:g}]", row, field, image))
            return None
        return number

    def report(self, file: str | Path, message: str, row: int | None = None, field: str | None = None,
               image: str | None = None) -> None:
        """Report one problem under the policy."""
        self.problems.report(DataError(file, message, row, field, image))

    def warn(self, message: str) -> None:
        """Note a fact about the data that drops no row (printed by ``data check``, logged by eval)."""
        self.warnings.append(message)

    def image(self, path: str | Path, file: str | Path, row: int | None, field: str | None,
              name: str | None = None) -> str | None:
        """The absolute image path after the existence/decoding checks; None (reported) if bad."""
        path = os.fspath(path)
        if not os.path.isabs(path) or ".." in path:
            path = os.path.abspath(path)
        name = name if name is not None else os.path.basename(path)
        if self.verify_images:
            error = check_image(path, max_pixels=self.max_image_pixels)
            if error is not None:
                kind, _, detail = error.reason.partition(": ")
                self.problems.report(DataError(file, f"{kind}: {path} ({detail})", row, field, name))
                return None
        elif self.check_images and not os.path.isfile(path):
            self.problems.report(DataError(file, f"{MISSING_IMAGE}: {path}", row, field, name))
            return None
        return path

    def add(self, file: str | Path, row: int | None, *, id: str, images: list[str | Path],
            image_field: str | None = None, key: Any = None, image_name: str | None = None, **fields: Any) -> bool:
        """Check and keep one record (``fields`` are further :class:`Record` fields); True if kept.

        ``image_name`` is how problems name the row's image (default: the first image's file name).
        """
        if self.done or not self.wants(fields.get("split"), file):
            return False
        name = image_name if image_name is not None else (os.path.basename(os.fspath(images[0])) if images else None)
        key = id if key is None else key
        first = self._seen.get(key)
        if first is not None:
            where = f"row {first[1]}" + ("" if first[0] == str(file) else f" of {first[0]}")
            self.problems.report(DataError(file, f"duplicate row: '{id}' already read at {where}", row, image_field,
                                           name))
            return False
        self._seen[key] = (str(file), row)
        paths = [self.image(p, file, row, image_field, name if len(images) == 1 else None) for p in images]
        if any(p is None for p in paths):
            return False
        self.records.append(Record(id=id, source=self.source, images=paths, **fields))  # type: ignore[arg-type]
        return True

    def result(self) -> SourceResult:
        """The records kept, the problems met, what the loader decided and its warnings."""
        return SourceResult(self.records, self.problems, dict(self.info), list(self.warnings))
