"""Personalization on the demo world's simulated users (SYNTHETIC): population vs task vectors vs ICL.

Trains (or reuses) a quick base scorer (``recipes/quickstart/stage2.yaml``, scoring only, small
``--base-steps``) and one task-vector LoRA per world database
(``recipes/personalize/task_vector_world.yaml``, ``--tv-steps``), then runs the PIAA protocol of
:mod:`aesthetic_mllm.personalize.evaluate` on the test-split users: k support images per draw,
query = the rest, SRCC averaged over draws then mean +- std over users. Every selection uses the
support images only. Run:

    .venv/bin/python benchmarks/personalize_world.py [--base DIR] [--task-vectors A,B,C] [--draws 10]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _base_model(args: argparse.Namespace, out: Path) -> Path:
    if args.base:
        return Path(args.base)
    path = out / "base"
    if (path / "config.json").is_file():
        print(f"reusing the base model in {path} (delete it to retrain)", flush=True)
        return path
    from aesthetic_mllm.config import load_recipe
    from aesthetic_mllm.train import train

    overrides = [f"output_dir={path}", f"max_steps={args.base_steps}", "tasks.commenting=0", "tasks.suggesting=0",
                 "train.progress=false", "train.save_steps=0"]
    return train(load_recipe(ROOT / "recipes/quickstart/stage2.yaml", overrides))


def _task_vectors(args: argparse.Namespace, out: Path, base: Path) -> list[Path]:
    if args.task_vectors:
        return [Path(p) for p in args.task_vectors.split(",") if p]
    from aesthetic_mllm.personalize.task_vectors import WORLD_DATABASES, train_task_vectors

    root = out / "task_vectors"
    done = [root / name for name in WORLD_DATABASES]
    if all((d / "adapter_config.json").is_file() for d in done):
        print(f"reusing the task vectors in {root} (delete them to retrain)", flush=True)
        return done
    return train_task_vectors(base, root, overrides=[f"max_steps={args.tv_steps}", "train.progress=false"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs/benchmarks/personalize_world")
    parser.add_argument("--base", help="a trained base model dir (default: train a quick one under --out)")
    parser.add_argument("--base-steps", type=int, default=150)
    parser.add_argument("--task-vectors", help="comma-separated task-vector adapter dirs (default: train them)")
    parser.add_argument("--tv-steps", type=int, default=100)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--users", help="comma-separated user ids (default: every world user)")
    parser.add_argument("--split", default="test", help="photos to evaluate on (tune settings on val, report test)")
    parser.add_argument("--temperature", type=float, default=5.0)
    parser.add_argument("--max-steps", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--l2", type=float, default=0.0, help="pull of the coefficients toward their init")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--selection", default="pair_error", choices=["bt_loss", "pair_error"],
                        help="held-out criterion that picks the step count")
    parser.add_argument("--repeats", type=int, default=3, help="cross-validation rounds for the step count")
    parser.add_argument("--no-icl", action="store_true", help="skip in-context scoring")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()

    import torch

    from aesthetic_mllm.personalize.evaluate import evaluate_personalization, format_table, world_users
    from aesthetic_mllm.personalize.task_vectors import FitConfig

    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    start = time.perf_counter()
    base = _base_model(args, out)
    vectors = _task_vectors(args, out, base)
    trained = time.perf_counter()
    everyone = world_users(args.split)
    wanted = set(args.users.split(",")) if args.users else None
    users = [u for u in everyone if wanted is None or u.user_id in wanted]
    if wanted and len(users) != len(wanted):
        parser.error(f"no ratings on split {args.split!r} for: {sorted(wanted - {u.user_id for u in users})}")
    report = evaluate_personalization(base, vectors, users, k=args.k, draws=args.draws, seed=args.seed,
                                      config=FitConfig(temperature=args.temperature, max_steps=args.max_steps, lr=args.lr,
                                                                      l2=args.l2, folds=args.folds, repeats=args.repeats,
                                                                      selection=args.selection),
                                      icl=not args.no_icl, reference_users=everyone)
    report["seconds"] = {"training": round(trained - start, 1), "evaluation": round(time.perf_counter() - trained, 1)}
    report["base_model"], report["task_vector_dirs"] = str(base), [str(v) for v in vectors]
    report["arguments"] = vars(args)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2))
    table = format_table(report)
    (out / "report.md").write_text(table)
    print("\n" + table + f"\nseconds: {report['seconds']}; report in {out}/report.json")


if __name__ == "__main__":
    main()
