r"""What stage 1 learned without a single score: its ranking head against the demo world's known quality (SYNTHETIC data).

A stage-1 run with ``ssl.rank_loss > 0`` trains a scalar head on the MFA states to rank each
edit pair's original above its edited version (pixel pseudo-labels only, no scores). This
benchmark reads that head on the world's scored val/test variants (photos never seen in any
stage) and prints SRCC pooled and within a photo, beside the stage-2 model's own scores when
``--stage2`` is given: the gap between the two is what the language model fails to read. Run:

    HF_HUB_OFFLINE=1 .venv/bin/aesthetic-mllm train recipes/quickstart/stage1.yaml ssl.rank_loss=1.0 \
        'ssl.rank_edits=[exposure, contrast, blur, noise, jpeg]' \
        'ssl.kinds={attributes: 1, compare: 2, what_changed: 2, how_to_fix: 1}' train.output_dir=runs/s1_rank
    HF_HUB_OFFLINE=1 .venv/bin/aesthetic-mllm train recipes/quickstart/stage2.yaml model=runs/s1_rank \
        train.output_dir=runs/s2_rank
    .venv/bin/python benchmarks/stage1_rank_head.py runs/s1_rank --stage2 runs/s2_rank [--splits val,test]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

DEFAULT_MODEL, DEFAULT_STAGE2 = "runs/s1_rank", "runs/s2_rank"


def load_rank_head(model_dir: str):
    """(stage-1 objective with its saved heads, processor) from a stage-1 output directory."""
    from aesthetic_mllm.config import SSLConfig
    from aesthetic_mllm.model.loading import load_model
    from aesthetic_mllm.train.objectives import Stage1Objective
    from aesthetic_mllm.train.stage1_heads import load_stage1_heads

    tensors, meta = load_stage1_heads(model_dir)
    cfg = SSLConfig(**meta["ssl"])
    if cfg.rank_loss <= 0:
        raise SystemExit(f"{model_dir}: stage 1 ran with ssl.rank_loss=0; it has no ranking head")
    model, processor = load_model(model_dir)
    objective = Stage1Objective(model, meta["levels"], cfg).eval()
    objective.load_state_dict(tensors, strict=False)
    return objective, processor


def rank_head_scores(objective, processor, split: str, batch_size: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores, known quality, photo) for every scored variant of ``split``, from the ranking head."""
    from aesthetic_mllm.data.images import open_image
    from aesthetic_mllm.data.sources import load_source

    records = load_source("world", None, split=split, subset="scoring", on_error="raise").records
    scores: list[float] = []
    with torch.no_grad():
        for i in range(0, len(records), batch_size):
            images = [open_image(r.images[0]) for r in records[i:i + batch_size]]
            pixels = processor.preprocess_images(images)
            scores += objective.rank_scores(objective.model.encode_images(pixels)).tolist()
    return (np.array(scores), np.array([r.meta["quality"] for r in records]),
            np.array([r.meta["photo"] for r in records]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help=f"a stage-1 output directory trained with ssl.rank_loss > 0 "
                        f"(default {DEFAULT_MODEL}, skipped with the commands that make it when absent)")
    parser.add_argument("--stage2", help="a stage-2 model directory to print beside it")
    parser.add_argument("--splits", default="val,test")
    args = parser.parse_args()
    if args.model is None:
        if not Path(DEFAULT_MODEL).is_dir():
            print(f"skipped: no {DEFAULT_MODEL}; make it first:\n{__doc__.split('Run:')[1]}")
            return
        args.model = DEFAULT_MODEL
        args.stage2 = args.stage2 or (DEFAULT_STAGE2 if Path(DEFAULT_STAGE2).is_dir() else None)

    from aesthetic_mllm.evaluation.metrics import srcc
    from aesthetic_mllm.quickstart import evaluate_world_scoring, within_photo_srcc

    objective, processor = load_rank_head(args.model)
    print("| scorer | split | n | SRCC | SRCC within a photo |")
    print("|---|---|---|---|---|")
    for split in args.splits.split(","):
        pred, quality, photos = rank_head_scores(objective, processor, split)
        print(f"| stage-1 ranking head ({args.model}) | {split} | {len(pred)} | {srcc(pred, quality):.3f} "
              f"| {within_photo_srcc(pred, quality, photos):.3f} |", flush=True)
        if args.stage2:
            r = evaluate_world_scoring(args.stage2, split)
            print(f"| stage-2 scores ({args.stage2}) | {split} | {r['n']} | {r['srcc']:.3f} "
                  f"| {r['srcc_within_photo']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
