"""``aesthetic-mllm personalize ...``: in-context scoring and task-vector personalization from a CSV.

The examples CSV has the columns ``image,score`` (one of the user's rated images per row);
relative image paths are read relative to the CSV's folder when they exist there.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def read_examples(path: str | Path) -> list[tuple[str, float]]:
    """``(image path, score)`` rows of an ``image,score`` CSV, with errors naming the file and row."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: examples CSV not found")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = [c.strip() for c in reader.fieldnames or []]
        if not {"image", "score"} <= set(fields):
            raise ValueError(f"{path}: the examples CSV needs the columns image,score (found {','.join(fields)})")
        rows = []
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            try:
                score = float(row["score"])
            except ValueError:
                raise ValueError(f"{path}:{line}: score {row['score']!r} is not a number") from None
            image = Path(row["image"])
            if not image.is_absolute() and (path.parent / image).exists():
                image = path.parent / image
            rows.append((str(image), score))
    if not rows:
        raise ValueError(f"{path}: no examples")
    return rows


def _icl(args: argparse.Namespace) -> int:
    from ..contract.levels import parse_range
    from ..scoring.personal import PersonalScorer

    scorer = PersonalScorer.from_pretrained(args.model, read_examples(args.examples), parse_range(args.range),
                                            batch_size=args.batch_size)
    for r in scorer.score(args.images, progress=len(args.images) > args.batch_size):
        print(json.dumps(r.to_dict()) if args.json else f"{r.score:7.3f}  [{r.range[0]:g}-{r.range[1]:g}]  {r.image}")
    return 0


def _task_vectors(args: argparse.Namespace) -> int:
    import numpy as np

    from .task_vectors import FitConfig, personalize_task_vectors

    config = FitConfig(temperature=args.temperature, lr=args.lr, max_steps=args.max_steps, folds=args.folds,
                       repeats=args.repeats, seed=args.seed)
    dirs = [d for d in args.task_vectors.split(",") if d]
    out = personalize_task_vectors(dirs, read_examples(args.examples), args.out, base_model=args.model, config=config)
    info = json.loads((out / "personalization.json").read_text())
    means = np.asarray(info["coefficients"]).mean(axis=0)
    weights = {n: round(float(w), 3) for n, w in zip(info["names"], means, strict=True)}
    print(f"saved personalized adapter to {out} (steps chosen on the support set: {info['fit']['steps']}; "
          f"mean coefficient per task vector: {weights})")
    print(f"score with: aesthetic-mllm score --model {out} --range LO,HI IMAGES...")
    return 0


def add_personalize_parsers(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``personalize {icl,task-vectors}`` to a CLI's subparsers; handlers are set as ``func``."""
    parser = subparsers.add_parser("personalize", help="score as one user would (in-context or task vectors)")
    sub = parser.add_subparsers(dest="personalize_command", required=True)

    p = sub.add_parser("icl", help="score images in context of a user's rated examples (cached k-shot prefix)")
    p.add_argument("images", nargs="+", help="image files to score")
    p.add_argument("--model", required=True, help="saved model directory (or adapter directory)")
    p.add_argument("--examples", required=True, help="CSV with columns image,score: the user's rated examples")
    p.add_argument("--range", default="1,5", help="the user's native score range LO,HI (default 1,5)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--json", action="store_true", help="one JSON object per image (score, range, distribution)")
    p.set_defaults(func=_icl)

    p = sub.add_parser("task-vectors", help="fit a user's combination of task-vector LoRAs; save one PEFT adapter")
    p.add_argument("--model", required=True, help="the base model directory the task vectors were trained on")
    p.add_argument("--task-vectors", required=True, help="comma-separated LoRA adapter directories (one per task)")
    p.add_argument("--examples", required=True, help="CSV with columns image,score: the user's rated examples")
    p.add_argument("--out", required=True, help="output directory for the personalized adapter")
    p.add_argument("--temperature", type=float, default=5.0, help="T in the init softmax(T * SRCC) (default 5)")
    p.add_argument("--lr", type=float, default=0.05, help="Adam learning rate of the coefficients")
    p.add_argument("--max-steps", type=int, default=40, help="largest step count considered (chosen by support CV)")
    p.add_argument("--folds", type=int, default=3, help="cross-validation folds of the examples for the step count")
    p.add_argument("--repeats", type=int, default=3, help="cross-validation rounds (different folds) to average")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_task_vectors)
    return parser
