"""``aesthetic-mllm score | comment | suggest``: inference on image files and folders (dispatch only)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def expand_images(paths: list[str]) -> list[str]:
    """Files as given; folders replaced by their images, searched recursively (sorted, hidden skipped)."""
    from ..data.sources import load_source

    out: list[str] = []
    for path in paths:
        if Path(path).is_dir():
            found = load_source("folder", path, on_error="skip").records
            if not found:
                raise FileNotFoundError(f"{path}: no images found in this folder")
            out += [r.image for r in found]
        else:
            out.append(path)
    return out


def _scorer(args: argparse.Namespace):
    from ..contract.levels import parse_range
    from .scorer import AestheticScorer

    return AestheticScorer.from_pretrained(args.model, score_range=parse_range(args.range), device=args.device,
                                           batch_size=args.batch_size,
                                           max_new_tokens=getattr(args, "max_new_tokens", 64))


def _emit(args: argparse.Namespace, rows: list[dict], line) -> int:
    """Print rows (JSON Lines with ``--json``, else ``line(row)``) and write ``--output`` when given."""
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else line(row))
    if args.output:
        from .output import write_rows

        print(f"wrote {len(rows)} rows to {write_rows(rows, args.output)}", file=sys.stderr)
    return 0


def _check_output(args: argparse.Namespace) -> None:
    if args.output:  # a wrong extension fails before the model loads
        from .output import output_format

        output_format(args.output)


def _score(args: argparse.Namespace) -> int:
    _check_output(args)
    images = expand_images(args.images)
    scorer = _scorer(args)
    rows = [r.to_dict() for r in scorer.score(images, progress=len(images) > scorer.batch_size)]
    return _emit(args, rows, lambda r: f"{r['score']:7.3f}  [{r['range'][0]:g}-{r['range'][1]:g}]  {r['image']}")


def _text(kind: str):
    def run(args: argparse.Namespace) -> int:
        _check_output(args)
        images = expand_images(args.images)
        scorer = _scorer(args)
        texts = getattr(scorer, kind)(images, progress=len(images) > scorer.batch_size)
        rows = [{"image": image, kind: text} for image, text in zip(images, texts, strict=True)]
        return _emit(args, rows, lambda r: f"{r['image']}\t{r[kind]}")

    return run


def _common(p: argparse.ArgumentParser, batch_help: str) -> None:
    p.add_argument("images", nargs="+", help="image files or folders (searched recursively)")
    p.add_argument("--model", required=True, help="saved model directory (or adapter directory)")
    p.add_argument("--batch-size", type=int, default=None, help=batch_help)
    p.add_argument("--device", default=None, help="cuda, cuda:1, cpu ... (default: cuda when available)")
    p.add_argument("--json", action="store_true", help="print JSON Lines (one JSON object per image) instead of a table")
    p.add_argument("--output", metavar="FILE", help="also write the results to FILE: .csv, .jsonl (JSON Lines) "
                                                    "or .json (one list), chosen by the extension")


def add_inference_parsers(subparsers) -> None:
    """Add the ``score``, ``comment`` and ``suggest`` subcommands to an argparse subparsers object."""
    p = subparsers.add_parser("score", help="score images: rating-word expectation in a declared range")
    _common(p, "images per forward pass (default 64 on GPU, 16 on CPU)")
    p.add_argument("--range", default="1,5", help="native score range LO,HI (default 1,5)")
    p.set_defaults(func=_score)
    for kind, what in (("comment", "an aesthetic critique"), ("suggest", "improvement advice")):
        p = subparsers.add_parser(kind, help=f"generate {what} for each image (greedy)")
        _common(p, "images per generate call (default 64 on GPU, 16 on CPU)")
        p.add_argument("--max-new-tokens", type=int, default=64, help="length limit of each answer")
        p.set_defaults(func=_text(kind), range="1,5")
