"""How many steps until a from-scratch model reads its image tokens? One stage-1 kind, LM loss only (SYNTHETIC).

A preset (default ``demo_cnn``, from random weights, as in the quickstart) is trained with the
LM loss alone on one self-supervised kind of the demo world's train photos (default
``how_to_fix``: the answer names the fix of the edit applied to the photo, so the text alone
cannot tell it). Every ``--every`` steps the answer loss on validation photos is printed with
each sample's own image and with another sample's (``evaluation.image_reliance``): the gap
is what the model has learned to read from the pixels.

``--contrast W`` trains on pairs of samples of the same photo (two draws of the kind: for
``how_to_fix``, two different edits) and adds ``W * relu(margin - (loss with the pair's other
image - loss with its own))``: a hinge that only reading the pixels can lower. Run:

    .venv/bin/python benchmarks/image_reading_curve.py [--kind how_to_fix] [--steps 1600] [--every 200] \
        [--contrast 1.0 --margin 0.2]
"""

from __future__ import annotations

import argparse
import random
import time

from aesthetic_mllm.evaluation.image_reliance import SSL_KINDS, answer_loss, answer_losses

PAIR_KINDS = ("compare", "what_changed")  # two images per sample: not swapped here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="how_to_fix", choices=[k for k in SSL_KINDS if k not in PAIR_KINDS])
    parser.add_argument("--preset", default="demo_cnn")
    parser.add_argument("--steps", type=int, default=1600)
    parser.add_argument("--every", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-samples", type=int, default=12800, help="distinct training samples drawn once")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--contrast", type=float, default=0.0,
                        help="weight of the hinge against the same photo's other sample (0: off)")
    parser.add_argument("--margin", type=float, default=0.2, help="hinge margin in nats per answer token")
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
    options = {"ssl": {"kinds": {args.kind: 1.0}}}
    if args.contrast > 0:  # two samples of one photo each (its own dataset: seeded draws differ by index)
        draw = random.Random(args.seed + 1)
        photos = [TaskDataset([draw.choice(train)], {"ssl": 1.0}, processor, 1024, seed=k, num_samples=2,
                              task_options=options) for k in range(args.train_samples // 2)]
        groups = [[photo[0], photo[1]] for photo in photos]
    else:
        dataset = TaskDataset(train, {"ssl": 1.0}, processor, 1024, seed=args.seed + 1,
                              num_samples=args.train_samples, task_options=options)
        groups = [[dataset[i]] for i in range(len(dataset))]
    per_batch = args.batch_size // len(groups[0])
    collate = MultimodalCollator(processor)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed)
    objective = f"LM loss + same-photo contrast {args.contrast} (margin {args.margin})" if args.contrast else "LM loss only"
    print(f"demo world (synthetic): {args.preset} from scratch, ssl kind {args.kind}, {objective}, "
          f"{sum(map(len, groups))} train samples ({len(groups[0])} per photo) built in {time.perf_counter() - start:.0f} s")
    print("| step | train loss, own images | val loss, own images | val loss, other photos' images | gap | seconds |")
    print("|---|---|---|---|---|---|")
    for step in range(1, args.steps + 1):
        batch = collate([item for group in rng.sample(groups, per_batch) for item in group])
        pixels = batch["pixel_values"]
        own_loss = loss = answer_loss(model, batch, pixels)
        if args.contrast > 0:  # single-image kinds: swap the two images of each pair
            swapped = pixels.view(-1, 2, *pixels.shape[1:]).flip(1).reshape(pixels.shape)
            loss = loss + args.contrast * torch.relu(args.margin - (answer_loss(model, batch, swapped) - own_loss))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % args.every == 0 or step == args.steps:
            model.eval()
            own, other = answer_losses(model, processor, val, args.kind, 64)
            model.train()
            print(f"| {step} | {own_loss.item():.4f} | {own:.4f} | {other:.4f} | {other - own:+.4f} | "
                  f"{time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
