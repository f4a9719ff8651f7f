"""``aesthetic-mllm data check``: load a source with every image decoded and report what is wrong.

Prints the record count, the split counts, the native score range the loader used and why
(``header``, ``file``, ``option`` or ``default``), score statistics per score range, the loader's
warnings, rows skipped on purpose (e.g. AADB's ``no answer``) by kind, problem counts by kind and
every problem (file, row, image, field). Loader options come from the YAML's ``options`` and from
``--option key=value`` (repeatable; values parsed as YAML: ``--option giaa=true``, ``--option
score_range=[0,100]``), the flags winning. Exit status 1 when any problem was found, 2 on a bad
request, else 0.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

import yaml

from .schema import Record
from .sources import SOURCES, SourceResult, load_source


def add_check_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``data check`` arguments to ``parser``."""
    parser.add_argument("config", nargs="?", help="YAML with keys name, root, split, options")
    parser.add_argument("--source", help=f"source name ({', '.join(sorted(SOURCES))})")
    parser.add_argument("--root", help="dataset folder (or file) in its published layout")
    parser.add_argument("--split", choices=["train", "val", "test"], help="only this split")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a loader option (repeatable), e.g. --option file=metadata/koniq10k_distributions_sets.csv "
                             "--option image_dir=images/512x384; the value is read as YAML")
    parser.add_argument("--no-decode", action="store_true", help="check that images exist, do not decode them")
    return parser


def parse_options(items: list[str]) -> dict[str, Any]:
    """``["key=value", ...]`` as a mapping, each value parsed as YAML (``true``, ``[0, 100]``, ``3``)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--option expects KEY=VALUE, got {item!r}")
        out[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return out


def _spec(args: argparse.Namespace) -> dict[str, Any]:
    """name/root/split/options from the YAML config, overridden by the flags."""
    spec: dict[str, Any] = {}
    if args.config:
        spec = yaml.safe_load(Path(args.config).read_text()) or {}
        if not isinstance(spec, dict):
            raise ValueError(f"{args.config}: expected a mapping with keys name, root, split, options")
        unknown = set(spec) - {"name", "root", "split", "options"}
        if unknown:
            raise ValueError(f"{args.config}: unknown key(s) {sorted(unknown)}; expected name, root, split, options")
        if spec.get("root") is not None:
            root = Path(str(spec["root"])).expanduser()
            spec["root"] = root if root.is_absolute() else Path(args.config).resolve().parent / root
    for key, flag in (("name", args.source), ("root", args.root), ("split", args.split)):
        if flag is not None:
            spec[key] = flag
    if getattr(args, "option", None):
        spec["options"] = {**(spec.get("options") or {}), **parse_options(args.option)}
    if not spec.get("name") or (spec.get("root") is None and spec["name"] != "world"):
        raise ValueError("data check needs a config YAML or --source NAME --root DIR (the world needs no root)")
    return spec


def score_summary(records: list[Record]) -> list[str]:
    """One line of min/mean/max/std per score range."""
    groups: dict[Any, list[float]] = defaultdict(list)
    for record in records:
        if record.score is not None:
            groups[record.score_range].append(record.score)
    lines = []
    for score_range, scores in groups.items():
        mean = math.fsum(scores) / len(scores)
        std = math.sqrt(math.fsum((s - mean) ** 2 for s in scores) / len(scores))
        shown = f"[{score_range[0]:g}, {score_range[1]:g}]" if score_range else "unknown"
        lines.append(f"scores (range {shown}): n={len(scores)} min={min(scores):.4g} mean={mean:.4g} "
                     f"max={max(scores):.4g} std={std:.4g}")
    return lines or ["scores: none (unlabeled source)"]


def range_line(result: SourceResult) -> str | None:
    """``native range: [lo, hi] (from <why>)`` as the loader decided it, else None (unscored source)."""
    chosen = result.info.get("score_range")
    if chosen is None:
        ranges = {r.score_range for r in result.records if r.score_range is not None}
        if not ranges:
            return None
        return "native range: " + ", ".join(f"[{lo:g}, {hi:g}]" for lo, hi in sorted(ranges)) + " (records)"
    return f"native range: [{chosen[0]:g}, {chosen[1]:g}] ({result.info.get('score_range_from', 'default')})"


def report(result: SourceResult, out: TextIO) -> None:
    """Print the summary of a loaded source."""
    records, problems = result.records, result.problems
    print(f"records: {len(records)}", file=out)
    splits = sorted({r.split for r in records if r.split}, key=lambda s: (["train", "val", "test"] + [s]).index(s))
    if splits:
        print("splits: " + ", ".join(f"{s}={sum(r.split == s for r in records)}" for s in splits), file=out)
    line = range_line(result)
    if line:
        print(line, file=out)
    for line in score_summary(records):
        print(line, file=out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=out)
    skipped = problems.skipped_counts()
    if skipped:
        print(f"skipped on purpose: {len(problems.skipped)} ("
              + ", ".join(f"{kind}: {n}" for kind, n in sorted(skipped.items())) + ")", file=out)
        for error in problems.skipped[:3]:
            print(f"  e.g. {error}", file=out)
    print(f"problems: {len(problems)}", file=out)
    for kind, count in sorted(problems.counts().items()):
        print(f"  {kind}: {count}", file=out)
    for error in problems.items:
        print(f"  - {error}", file=out)


def run_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Load the source (skip policy, images decoded unless ``--no-decode``).

    Returns 0 when clean, 1 when any problem was found, 2 when the request itself is wrong
    (unknown source or option, missing root, missing required option).
    """
    out = out or sys.stdout
    try:
        spec = _spec(args)
        options = dict(spec.get("options") or {})
        options["verify_images"] = not args.no_decode
        result = load_source(spec["name"], spec.get("root"), split=spec.get("split"), on_error="skip", **options)
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=out)
        return 2
    print(f"source: {spec['name']}  root: {spec.get('root') or 'default'}  split: {spec.get('split') or 'all'}", file=out)
    report(result, out)
    return 1 if len(result.problems) else 0
