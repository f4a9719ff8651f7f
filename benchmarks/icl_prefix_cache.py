"""Per-query cost of in-context scoring: k-shot prefix cached vs the full prompt vs zero-shot.

The zero-shot baseline is ``AestheticScorer`` (one image per prompt). ``PersonalScorer`` encodes
the k-shot prefix once (its one-off cost is printed separately) and runs only the query suffix
per image; "uncached" runs the whole k-shot prompt for every query. Each figure is the best of
``--repeats`` timings of scoring ``--queries`` images in batches of ``--batch``. Run:

    .venv/bin/python benchmarks/icl_prefix_cache.py [--preset tiny] [--shots 10] [--queries 32]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from PIL import Image


def _photos(n: int) -> list[Image.Image]:
    """``n`` real photos (scikit-image samples, mirrored for more) as RGB."""
    from skimage import data

    names = ["astronaut", "coffee", "chelsea", "rocket", "camera", "horse", "coins", "moon", "page", "text",
             "clock", "grass", "gravel", "brick"]
    base = [Image.fromarray(getattr(data, name)()).convert("RGB").resize((128, 128)) for name in names]
    images = base + [im.transpose(Image.FLIP_LEFT_RIGHT) for im in base]
    return [images[i % len(images)] for i in range(n)]


def _best_ms_per_query(fn, images: list[Image.Image], batch: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(images), batch):
            fn(images[i:i + batch])
        best = min(best, time.perf_counter() - start)
    return 1000 * best / len(images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--queries", type=int, default=32)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from aesthetic_mllm.model.loading import from_preset
    from aesthetic_mllm.scoring import AestheticScorer
    from aesthetic_mllm.scoring.personal import PersonalScorer

    torch.manual_seed(0)
    model, processor = from_preset(args.preset)
    photos = _photos(args.shots + args.queries)
    shots = [(im, 1.0 + 4.0 * i / max(1, args.shots - 1)) for i, im in enumerate(photos[:args.shots])]
    queries = photos[args.shots:]
    zero_shot = AestheticScorer(model, processor, batch_size=args.batch)
    start = time.perf_counter()
    personal = PersonalScorer(model, processor, shots, (1.0, 5.0), batch_size=args.batch)
    prefix_ms = 1000 * (time.perf_counter() - start)

    diff = np.abs(personal.word_probabilities(queries[:4]) - personal.word_probabilities(queries[:4], use_cache=False))
    timings = {
        "zero-shot (AestheticScorer)": _best_ms_per_query(zero_shot.word_probabilities, queries, args.batch,
                                                          args.repeats),
        f"{args.shots}-shot cached prefix": _best_ms_per_query(personal.word_probabilities, queries, args.batch,
                                                               args.repeats),
        f"{args.shots}-shot uncached": _best_ms_per_query(lambda b: personal.word_probabilities(b, use_cache=False),
                                                          queries, args.batch, args.repeats),
    }
    base = timings["zero-shot (AestheticScorer)"]
    print(f"preset={args.preset} shots={args.shots} queries={args.queries} batch={args.batch} "
          f"threads={torch.get_num_threads()} prefix tokens={personal.prefix_length} "
          f"suffix tokens={personal.suffix_ids.shape[1]}")
    print(f"one-off prefix encoding: {prefix_ms:.1f} ms; cached vs uncached max |dp| = {diff.max():.2e}")
    print("| path | ms / query | x zero-shot |\n|---|---|---|")
    for name, ms in timings.items():
        print(f"| {name} | {ms:.2f} | {ms / base:.2f} |")
    print(f"uncached / cached = {timings[f'{args.shots}-shot uncached'] / timings[f'{args.shots}-shot cached prefix']:.2f}"
          f" (k+1 = {args.shots + 1})")


if __name__ == "__main__":
    main()
