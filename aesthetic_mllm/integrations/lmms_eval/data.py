"""Write an lmms-eval task folder for a local scoring dataset (a CSV of image,score or our record JSONL).

The folder holds ``<name>.jsonl`` (one document per image: absolute image path, true score,
score range, the scoring question and one answer per rating word, best first) and
``<name>.yaml`` (including the shipped ``_aesthetic_scoring_base.yaml``). Run it with
``lmms-eval --model aesthetic_mllm --model_args pretrained=DIR --tasks <name> --include_path FOLDER``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import yaml

from ...contract.levels import RATING_WORDS, parse_range
from ...contract.prompts import ANSWER_TEMPLATE, SCORE_QUESTION
from ...data.errors import DataError
from ...data.schema import Record
from ...data.sources import load_source

BASE_YAML = Path(__file__).resolve().parent / "tasks" / "_aesthetic_scoring_base.yaml"


def _is_record_jsonl(path: Path) -> bool:
    if path.suffix.lower() != ".jsonl":
        return False
    with path.open(encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "")
    try:
        row = json.loads(first)
    except json.JSONDecodeError:
        raise DataError(path, "bad JSON: the first line is not a JSON object", row=1) from None
    return isinstance(row, dict) and "images" in row and "source" in row


def read_records(path: Path, score_range: Sequence[float] | None) -> list[Record]:
    """Scored records of a record JSONL (image paths relative to the file's folder)."""
    out = []
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = Record.from_dict(json.loads(line))
        except (json.JSONDecodeError, TypeError) as exc:
            raise DataError(path, f"bad record: {exc}", row=row) from None
        if record.score is None:
            continue
        rng = tuple(score_range) if score_range is not None else record.score_range
        if rng is None:
            raise DataError(path, "missing value: the record has no score_range (pass score_range)", row, "score_range")
        record.score_range = (float(rng[0]), float(rng[1]))
        record.images = [str((path.parent / p).resolve()) for p in record.images]
        out.append(record)
    return out


def load_scored(path: str | Path, score_range: Sequence[float] | None = None, path_column: str = "image",
                score_column: str = "score", image_root: str | Path | None = None) -> list[Record]:
    """Scored records from a record JSONL or a MOS table (``score_range`` required for a table)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: dataset file not found")
    if _is_record_jsonl(path):
        records = read_records(path, score_range)
    else:
        records = load_source("mos", path, on_error="raise", score_range=score_range, path_column=path_column,
                              score_column=score_column, image_root=image_root).records
    if not records:
        raise DataError(path, "no scored rows")
    ranges = {r.score_range for r in records}
    if len(ranges) > 1:
        raise DataError(path, f"mixed score ranges {sorted(ranges)}: one task needs one range", field="score_range")
    return records


def task_docs(records: Sequence[Record], words: Sequence[str] = RATING_WORDS) -> list[dict]:
    """One lmms-eval document per record."""
    head = ANSWER_TEMPLATE.split("{word}")[0]  # the scoring answer up to and including the rating word
    choices = [head + w for w in words]
    return [{"id": r.id, "image": str(r.image), "score": float(r.score), "low": float(r.score_range[0]),
             "high": float(r.score_range[1]), "question": SCORE_QUESTION, "choices": choices} for r in records]


def write_task(data: str | Path, out_dir: str | Path, name: str = "aesthetic_scoring",
               score_range: Sequence[float] | str | None = None, words: Sequence[str] = RATING_WORDS,
               **table_options) -> Path:
    """Write the task folder for ``data``; returns the task YAML path."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"task name {name!r}: use letters, digits and underscores")
    rng = parse_range(score_range) if score_range is not None else None
    records = load_scored(data, rng, **table_options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = out / f"{name}.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in task_docs(records, words)), encoding="utf-8")
    spec = {"include": str(BASE_YAML), "task": name, "dataset_kwargs": {"data_files": {"test": docs.name}}}
    task = out / f"{name}.yaml"
    task.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return task
