"""Stage 1 of the quickstart on CPU with 0 and with 1 DataLoader worker: time per step and same losses.

Stage 1 renders its views on the fly (edits, pseudo-labels), which a worker overlaps with the
train step. Every sample is drawn from its own seeded rng, so both runs see the same samples and
must log the same losses; the benchmark checks that and prints the speed ratio. Each run is a
``aesthetic-mllm train`` subprocess of ``recipes/quickstart/stage1.yaml`` (demo world, synthetic).
Run (about 2 minutes on 2 cores):

    .venv/bin/python benchmarks/cpu_workers.py [--steps 60] [--recipe recipes/quickstart/stage1.yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(recipe: Path, workers: int, steps: int, out: Path) -> tuple[float, list[dict]]:
    """(train seconds per step, logged losses) of ``steps`` steps with ``workers`` DataLoader workers."""
    cli = Path(sys.executable).with_name("aesthetic-mllm")
    subprocess.run([str(cli), "train", str(recipe), f"output_dir={out}", f"train.max_steps={steps}",
                    "train.save_steps=0", f"train.logging_steps={max(1, steps // 3)}",
                    f"train.dataloader_num_workers={workers}", "train.progress=false"],
                   check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, stdout=subprocess.DEVNULL)
    history = json.loads((out / "run.json").read_text())["progress"]["log_history"]
    runtime = next(row["train_runtime"] for row in history if "train_runtime" in row)
    losses = [{k: v for k, v in row.items() if k.endswith("loss")} for row in history if "loss" in row]
    return runtime / steps, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--recipe", type=Path, default=ROOT / "recipes" / "quickstart" / "stage1.yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (base, base_losses), (one, one_losses) = (run(args.recipe, w, args.steps, Path(tmp) / f"w{w}")
                                                  for w in (0, 1))
    print(f"{args.recipe.name}, {args.steps} steps, {os.cpu_count()} cores")
    print(f"  0 workers: {base:.3f} s/step")
    print(f"  1 worker:  {one:.3f} s/step  ({base / one:.2f}x)")
    print(f"  same logged losses: {base_losses == one_losses}")
    if base_losses != one_losses:
        sys.exit("the runs logged different losses: a worker changed the samples")


if __name__ == "__main__":
    main()
