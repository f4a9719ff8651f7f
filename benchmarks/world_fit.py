"""How a trained model's scores follow the demo world's known quality, per split (SYNTHETIC data).

Train shows whether the model fits its own scarce labels at all; val is what choices are made
on; test is the held-out photos. Printed per model dir: SRCC pooled and within a photo, and the
spread of the predicted scores (a near-zero spread means the model answers its prior for every
photo). Run:

    .venv/bin/python benchmarks/world_fit.py outputs/quickstart/stage2 [more dirs] [--splits train,val,test]
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["outputs/quickstart/stage2"],
                        help="model directories (stage-2 outputs; default: the quickstart's stage 2)")
    parser.add_argument("--splits", default="train,val,test")
    args = parser.parse_args()

    from aesthetic_mllm.quickstart import evaluate_world_scoring

    print("| model | split | SRCC | SRCC within a photo | prediction std (1-10) |")
    print("|---|---|---|---|---|")
    for model in args.models:
        for split in args.splits.split(","):
            r = evaluate_world_scoring(model, split)
            print(f"| {model} | {split} | {r['srcc']:.3f} | {r['srcc_within_photo']:.3f} | {r['pred_std']:.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
