"""What each demo tab does, as plain functions over an :class:`AestheticScorer` (no Gradio here).

Every bad input becomes a :class:`DemoError` with a one-line message naming the file (or row);
the page shows that line, never a stack trace.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..data.images import open_image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")


class DemoError(ValueError):
    """A user-facing problem with the input (one line)."""


def _open(path: str | Path) -> Image.Image:
    try:
        return open_image(path)
    except (ValueError, OSError) as exc:  # DataError is a ValueError and names the file
        raise DemoError(str(exc).splitlines()[0]) from None


@dataclass
class PhotoResult:
    """Score (in ``range``), the rating-word distribution (best word first), critique and advice."""

    score: float
    range: tuple[float, float]
    distribution: dict[str, float]
    critique: str
    advice: str


def analyse_photo(scorer, path: str | Path | None) -> PhotoResult:
    """Score, critique and advice for one photo file."""
    if not path:
        raise DemoError("no photo: drop a photo file first")
    image = _open(path)
    result = scorer.score([image])[0]
    return PhotoResult(result.score, tuple(result.range), result.distribution,
                       scorer.comment([image])[0], scorer.suggest([image])[0])


def _display(path: str | Path) -> str:
    return Path(path).name


def collect_images(files: Sequence[str | Path] | None, folder: str | None) -> list[Path]:
    """Uploaded files plus the image files of ``folder`` (sorted); an error when there are none."""
    paths = [Path(f) for f in files or []]
    if folder and folder.strip():
        root = Path(folder.strip()).expanduser()
        if not root.is_dir():
            raise DemoError(f"{root}: folder not found")
        paths += sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise DemoError("no photos: upload files or give a folder path")
    return paths


def score_batch(scorer, paths: Sequence[Path]) -> tuple[list[list], list[str]]:
    """Rows ``[file, score, most likely word]`` for every readable photo, and one line per unreadable one."""
    good, names, problems = [], [], []
    for path in paths:
        try:
            good.append(_open(path))
            names.append(_display(path))
        except DemoError as exc:
            problems.append(str(exc))
    rows = []
    if good:
        for name, res in zip(names, scorer.score(good), strict=True):
            rows.append([name, round(res.score, 4), max(res.distribution, key=res.distribution.get)])
    return rows, problems


def rows_to_csv(rows: Sequence[Sequence], header: Sequence[str], out: Path) -> Path:
    """Write ``rows`` under ``header`` to ``out`` (CSV) and return it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return out


def parse_scores(text: str, count: int, score_range: tuple[float, float]) -> list[float]:
    """``count`` scores from text separated by commas, spaces or new lines, each inside ``score_range``."""
    parts = [p for p in text.replace(",", " ").split() if p]
    if len(parts) != count:
        raise DemoError(f"scores: {len(parts)} given for {count} rated photo(s); give one score per photo, in order")
    lo, hi = score_range
    scores = []
    for i, part in enumerate(parts, 1):
        try:
            value = float(part)
        except ValueError:
            raise DemoError(f"scores: item {i} {part!r} is not a number") from None
        if not lo <= value <= hi:
            raise DemoError(f"scores: item {i} ({value:g}) is outside the score range {lo:g}-{hi:g}")
        scores.append(value)
    return scores


def read_examples_csv(path: str | Path, score_range: tuple[float, float]) -> list[tuple[Path, float]]:
    """``image,score`` rows (image paths absolute or relative to the CSV's folder)."""
    path = Path(path)
    lo, hi = score_range
    out = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"image", "score"} - set(reader.fieldnames or [])
        if missing:
            raise DemoError(f"{path.name}: missing column(s) {', '.join(sorted(missing))} (need image,score)")
        for row, values in enumerate(reader, 2):
            try:
                score = float(values["score"])
            except (TypeError, ValueError):
                raise DemoError(f"{path.name}, row {row}, field 'score': {values['score']!r} is not a number") from None
            if not lo <= score <= hi:
                raise DemoError(f"{path.name}, row {row}, field 'score': {score:g} is outside {lo:g}-{hi:g}")
            image = Path(values["image"]).expanduser()
            out.append((image if image.is_absolute() else path.parent / image, score))
    if not out:
        raise DemoError(f"{path.name}: no rows")
    return out


def personal_scores(scorer, examples: Sequence[tuple[str | Path, float]],
                    queries: Sequence[str | Path]) -> list[list]:
    """Rows ``[file, personal score, general score]``: the in-context personal scorer from ``examples``."""
    from ..scoring.personal import PersonalScorer

    if not examples:
        raise DemoError("no rated photos: upload a few photos with their scores, or an examples CSV")
    if not queries:
        raise DemoError("no new photos to score")
    shots = [(_open(p), float(s)) for p, s in examples]
    images = [_open(p) for p in queries]
    personal = PersonalScorer(scorer.model, scorer.processor, shots, score_range=scorer.range, words=scorer.words)
    mine, general = personal.score(images), scorer.score(images)
    return [[_display(q), round(m.score, 4), round(g.score, 4)]
            for q, m, g in zip(queries, mine, general, strict=True)]
