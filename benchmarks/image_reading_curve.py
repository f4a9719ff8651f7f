"""How many steps until a from-scratch model reads its image tokens? One stage-1 kind, LM loss only (SYNTHETIC).

A preset (default ``demo_cnn``, from random weights, as in the quickstart) is trained with the
LM loss alone on one self-supervised kind of the demo world's train photos (default
``how_to_fix``: the answer names the fix of the edit applied to the photo, so the text alone
cannot tell it). Every ``--every`` steps the answer loss on validation photos is printed with
each sample's own image and with another sample's (``image_reliance.answer_losses``): the gap
is what the model has learned to read from the pixels. Run:

    .venv/bin/python benchmarks/image_reading_curve.py [--kind how_to_fix] [--steps 1600] [--every 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from image_reliance import SSL_KINDS, answer_losses  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="how_to_fix", choices=SSL_KINDS)
    parser.add_argument("--preset", default="demo_cnn")
    parser.add_argument("--steps", type=int, default=1600)
    parser.add_argument("--every", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-samples", type=int, default=12800, help="distinct training samples drawn once")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    from aesthetic_mllm.data.collator import MultimodalCollator
    from aesthetic_mllm.data.dataset import TaskDataset
    from aesthetic_mllm.data.sources import load_source
    from aesthetic_mllm.model.loading import from_preset

    torch.manual_seed(args.seed)
    model, processor = from_preset(args.preset)
    train = load_source("world", None, split="train", subset="unlabeled", on_error="raise").records
    val = load_source("world", None, split="val", subset="scoring", on_error="raise").records
    start = time.perf_counter()
    dataset = TaskDataset(train, {"ssl": 1.0}, processor, 1024, seed=args.seed + 1, num_samples=args.train_samples,
                          task_options={"ssl": {"kinds": {args.kind: 1.0}}})
    items = [dataset[i] for i in range(len(dataset))]
    collate = MultimodalCollator(processor)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed)
    print(f"demo world (synthetic): {args.preset} from scratch, ssl kind {args.kind}, LM loss only, "
          f"{len(items)} train samples built in {time.perf_counter() - start:.0f} s")
    print("| step | train loss | val loss, own images | val loss, other photos' images | gap | seconds |")
    print("|---|---|---|---|---|---|")
    for step in range(1, args.steps + 1):
        batch = collate(rng.sample(items, args.batch_size))
        loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"],
                     pixel_values=batch["pixel_values"]).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % args.every == 0 or step == args.steps:
            model.eval()
            own, other = answer_losses(model, processor, val, args.kind, 64)
            model.train()
            print(f"| {step} | {loss.item():.4f} | {own:.4f} | {other:.4f} | {other - own:+.4f} | "
                  f"{time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
