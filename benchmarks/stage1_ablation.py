"""Stage-1 ablation on the demo world (SYNTHETIC): {stage 1 + stage 2, stage 2 only} over seeds.

Each seed trains the quickstart's stage 1 (plentiful unlabeled views, pixel pseudo-labels, no
scores), then the quickstart's stage 2 from it and, separately, the same stage-2 budget from
scratch (the world's few scored train variants). Both are scored on the held-out test photos
(never seen in any stage) and on the validation photos against the known quality through the
``world_scoring`` protocol. Prints a table per seed and mean +- std over seeds. Run:

    .venv/bin/python benchmarks/stage1_ablation.py [--seeds 0,1,2] [--out outputs/benchmarks/stage1_ablation] \\
        [key=value ...]   # recipe overrides for both stages, e.g. train.max_steps=200
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", default="outputs/benchmarks/stage1_ablation")
    parser.add_argument("--stage1-overrides", nargs="*", default=[], help="overrides for stage 1 only")
    parser.add_argument("overrides", nargs="*", help="recipe overrides applied to both stages")
    args = parser.parse_args()

    from aesthetic_mllm.config import load_recipe
    from aesthetic_mllm.quickstart import _recipe_path, evaluate_world_scoring
    from aesthetic_mllm.train import train

    out = Path(args.out)
    rows: dict[str, dict[str, list[float]]] = {"stage 1 + stage 2": {}, "stage 2 only": {}}
    print("demo world (SYNTHETIC); held-out test photos never seen in any stage\n")
    print("| seed | run | test SRCC | test within a photo | val SRCC | val within a photo | seconds |")
    print("|---|---|---|---|---|---|---|")
    for seed in [int(s) for s in args.seeds.split(",")]:
        base = [f"train.seed={seed}", "train.progress=false", *args.overrides]
        start = time.perf_counter()
        stage1 = train(load_recipe(_recipe_path("stage1.yaml"), [f"output_dir={out / f'seed{seed}' / 'stage1'}",
                                                                  *base, *args.stage1_overrides]))
        s1_seconds = time.perf_counter() - start
        for name, extra in (("stage 1 + stage 2", [f"model={stage1}"]), ("stage 2 only", [])):
            start = time.perf_counter()
            tag = "with" if extra else "without"
            model = train(load_recipe(_recipe_path("stage2.yaml"),
                                      [f"output_dir={out / f'seed{seed}' / f'stage2_{tag}_stage1'}", *base, *extra]))
            seconds = time.perf_counter() - start + (s1_seconds if extra else 0.0)
            test = evaluate_world_scoring(model, "test")
            val = evaluate_world_scoring(model, "val")
            for key, value in (("test", test["srcc"]), ("test_within", test["srcc_within_photo"]),
                               ("val", val["srcc"]), ("val_within", val["srcc_within_photo"])):
                rows[name].setdefault(key, []).append(value)
            print(f"| {seed} | {name} | {test['srcc']:.3f} | {test['srcc_within_photo']:.3f} | {val['srcc']:.3f} "
                  f"| {val['srcc_within_photo']:.3f} | {seconds:.0f} |", flush=True)
    print("\n| run | test SRCC | test within a photo | val SRCC | val within a photo |")
    print("|---|---|---|---|---|")
    for name, metrics in rows.items():
        cells = " | ".join(f"{np.mean(metrics[k]):.3f} +- {np.std(metrics[k]):.3f}"
                           for k in ("test", "test_within", "val", "val_within"))
        print(f"| {name} | {cells} |")
    gain = np.array(rows["stage 1 + stage 2"]["test"]) - np.array(rows["stage 2 only"]["test"])
    print(f"\nstage 1 + 2 minus stage 2 only, test SRCC: {gain.mean():+.3f} +- {gain.std():.3f} (per seed: "
          + ", ".join(f"{g:+.3f}" for g in gain) + ")")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
