"""Does a trained model look at the image? Answer loss with the right images vs other photos' (SYNTHETIC data).

For each task (the stage-1 ``ssl`` kinds and the stage-2 tasks), samples are built on the demo
world's validation photos and the mean answer-token loss is computed twice on the same batches:
with each sample's own images, and with every image swapped for one of another sample in the
batch (the "blind" control). A model that reads the image loses more without it; equal losses
mean its answers come from the text alone, whatever its training loss says
(``aesthetic_mllm.evaluation.image_reliance``; the quickstart's report shows the same check). Run:

    .venv/bin/python benchmarks/image_reliance.py outputs/quickstart/stage1 outputs/quickstart/stage2 \
        [--samples 64] [--tasks attributes,how_to_fix,scoring,suggesting]
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_MODELS = ("outputs/quickstart/stage1", "outputs/quickstart/stage2")


def main() -> None:
    from aesthetic_mllm.evaluation.image_reliance import TASKS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=list(DEFAULT_MODELS),
                        help="model directories (default: the quickstart's stage 1 and stage 2)")
    parser.add_argument("--samples", type=int, default=64, help="samples per task (default 64)")
    parser.add_argument("--tasks", default="attributes,compare,how_to_fix,scoring,suggesting",
                        help=f"comma-separated, from {','.join(TASKS)}")
    parser.add_argument("--split", default="val", help="world split whose photos are used (default val)")
    args = parser.parse_args()
    tasks = args.tasks.split(",")
    missing = [m for m in args.models if not Path(m, "config.json").is_file()]
    if missing:
        parser.error(f"no saved model in {missing} (run `make quickstart` first, or name model directories)")
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        parser.error(f"unknown tasks {unknown}; choose from {list(TASKS)}")

    from aesthetic_mllm.quickstart import image_reliance

    print(f"demo world (synthetic), {args.split} photos, {args.samples} samples per task")
    print("| model | task | loss, own images | loss, other photos' images | gap |")
    print("|---|---|---|---|---|")
    for path in args.models:
        for task, c in image_reliance(path, args.split, tuple(tasks), args.samples).items():
            print(f"| {path} | {task} | {c['own']:.4f} | {c['other']:.4f} | {c['other'] - c['own']:+.4f} |",
                  flush=True)

if __name__ == "__main__":
    main()
