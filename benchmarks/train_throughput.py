"""Training throughput (samples/s) and padding waste with and without length-grouped batching.

Stage-2 mixture on the demo world (synthetic): scoring + commenting + suggesting + PIAA, whose
prompts differ a lot in length (PIAA holds several images). Same model, same samples, same
number of steps; only the batch order differs: the Trainer's random order (``group_by_length``
off) against transformers' ``LengthGroupedSampler`` as the trainer feeds it (draft lengths). Run:

    .venv/bin/python benchmarks/train_throughput.py [--steps 30] [--batch 8]
"""

from __future__ import annotations

import argparse
import random
import time

import torch
from torch.utils.data import RandomSampler

from aesthetic_mllm.data.collator import MultimodalCollator, padding_waste
from aesthetic_mllm.data.dataset import TaskDataset
from aesthetic_mllm.data.sources import load_source
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.train.trainer import SeedableLengthGroupedSampler


def _batches(order: list[int], size: int) -> list[list[int]]:
    return [order[i : i + size] for i in range(0, len(order), size)]


def measure(dataset: TaskDataset, collator, batches: list[list[int]], steps: int) -> float:
    torch.manual_seed(0)
    model, _ = from_preset("tiny")
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    seen = 0
    start = None
    for step, batch_ids in enumerate(batches[: steps + 2]):
        if step == 2:  # skip warm-up steps
            start, seen = time.perf_counter(), 0
        batch = collator([dataset[i] for i in batch_ids])
        batch.pop("sample_ids", None)
        batch.pop("soft_targets", None)
        model(**batch).loss.backward()
        optim.step()
        optim.zero_grad(set_to_none=True)
        seen += len(batch_ids)
    return seen / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    records = load_source("world", None, split="train", subset="scoring").records
    records += load_source("world", None, split="train", subset="users").records[:300]
    _, processor = from_preset("tiny")
    dataset = TaskDataset(records, {"scoring": 1, "commenting": 1, "suggesting": 1, "piaa": 1}, processor,
                          max_length=1024, seed=0)
    collator = MultimodalCollator(processor)
    lengths = dataset.lengths()
    grouped = _batches(list(SeedableLengthGroupedSampler(args.batch, lengths, seed=0)), args.batch)
    shuffled = _batches(list(RandomSampler(lengths, generator=torch.Generator().manual_seed(0))), args.batch)
    waste = {"random": padding_waste(lengths, shuffled), "grouped": padding_waste(lengths, grouped)}
    # time the same number of batches drawn at random from each epoch (not the first, longest ones)
    pick = random.Random(0)
    grouped, shuffled = pick.sample(grouped, len(grouped)), pick.sample(shuffled, len(shuffled))
    speed = {"random": measure(dataset, collator, shuffled, args.steps),
             "grouped": measure(dataset, collator, grouped, args.steps)}
    print(f"demo world (synthetic) stage-2 mixture, {len(dataset)} samples, batch {args.batch}, {args.steps} steps")
    print(f"{'order':<8} {'padding waste':>14} {'samples/s':>10}")
    for key in ("random", "grouped"):
        print(f"{key:<8} {waste[key]:>13.1%} {speed[key]:>10.2f}")
    print(f"grouped/random: padding waste {waste['grouped'] / waste['random']:.2f}x, "
          f"throughput {speed['grouped'] / speed['random']:.2f}x")


if __name__ == "__main__":
    main()
