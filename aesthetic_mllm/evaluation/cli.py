"""``aesthetic-mllm eval`` / ``python -m eval``: run benchmarks, list them, or compare two result dirs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def add_eval_arguments(p: argparse.ArgumentParser) -> None:
    """The eval flags (shared by the subcommand and ``python -m eval``)."""
    p.add_argument("--model", help="saved model directory (or adapter directory)")
    p.add_argument("--benchmarks", help="comma-separated benchmark names or YAML paths, or 'all'")
    p.add_argument("--data-root", help="folder holding one dataset folder per source (ava/, para/ ...); "
                                       "world benchmarks need none")
    p.add_argument("--out", default="outputs/eval", help="output directory (default outputs/eval)")
    p.add_argument("--limit", type=int, help="at most N samples per benchmark (PIAA: N users); for quick checks")
    p.add_argument("--batch-size", type=int, help="images per forward pass (default 64 on GPU, 16 on CPU)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a benchmark field for every benchmark run, e.g. --set shots=[2] --set draws=3")
    p.add_argument("--compare", nargs=2, metavar=("DIR_A", "DIR_B"),
                   help="print a side-by-side comparison of two result directories instead of evaluating")
    p.add_argument("--list", action="store_true", help="list the benchmarks in eval/ and exit")
    p.set_defaults(func=run_eval_command)


def run_eval_command(args: argparse.Namespace) -> int:
    """Dispatch the parsed eval flags to the library."""
    from .benchmark import list_benchmarks, load_benchmark
    from .report import compare_results
    from .runner import run_benchmarks

    if args.list:
        for name in list_benchmarks():
            bench = load_benchmark(name)
            print(f"{name:18s} {bench.protocol:11s} {bench.description}")
        return 0
    if args.compare:
        print(compare_results(*args.compare), end="")
        return 0
    if not args.model or not args.benchmarks:
        raise ValueError("eval needs --model DIR and --benchmarks NAMES (or --list / --compare A B)")
    results = run_benchmarks(args.model, args.benchmarks, data_root=args.data_root, out_dir=args.out,
                             limit=args.limit, overrides=args.overrides, batch_size=args.batch_size)
    if results:
        print(json.dumps(results, indent=2, default=str))
        print(f"results, report.md, samples and plots written to {args.out}")
    return 0


def add_eval_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``eval`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser("eval", help="evaluate a model on benchmarks (eval/*.yaml) and write a report",
                              description="Evaluate on benchmarks with their published protocols; under accelerate "
                                          "launch the samples are sharded across processes.")
    add_eval_arguments(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m eval``: errors in user input print one line and exit 2."""
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description="Evaluate a model on benchmarks (eval/*.yaml), list them, or compare two result directories.")
    add_eval_arguments(parser)
    args = parser.parse_args(argv)
    from ..data.errors import DataError
    from ..logs import configure_logging

    configure_logging()
    try:
        return args.func(args)
    except (DataError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
