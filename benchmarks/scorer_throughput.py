"""Images/s of ``AestheticScorer`` vs a naive per-image generate-and-parse scorer (tiny preset, CPU or GPU).

The naive scorer is what many evaluation scripts do: for each image, greedily generate the
answer to the scoring question ("The aesthetic quality of this photo is good.", up to
``--new-tokens`` tokens) and parse the rating word out of the text. ``AestheticScorer`` reads
the rating-word probabilities from one forward pass per batch (prefix KV cache shared by the
batch). Both use the same model and photos (scikit-image samples, decoded once). Run:

    .venv/bin/python benchmarks/scorer_throughput.py [--images 64] [--preset tiny] [--new-tokens 12]
"""

from __future__ import annotations

import argparse
import json
import re
import time

import torch


def _photos(n: int):
    from PIL import Image
    from skimage import data

    names = ("astronaut", "coffee", "chelsea", "rocket", "camera", "horse", "coins", "moon")
    base = [Image.fromarray(getattr(data, name)()).convert("RGB") for name in names]
    return [base[i % len(base)] for i in range(n)]


def naive_scores(scorer, images, new_tokens: int) -> list[float | None]:
    """Per image: generate the answer, parse the first rating word (None when there is none)."""
    from aesthetic_mllm.contract.levels import level_to_score
    from aesthetic_mllm.contract.prompts import SCORE_QUESTION

    pattern = re.compile(r"\b(" + "|".join(map(re.escape, scorer.words)) + r")\b", re.IGNORECASE)
    prompt = scorer.prompt_for(SCORE_QUESTION)
    tokenizer = scorer.processor.tokenizer
    out: list[float | None] = []
    for image in images:
        batch = {**scorer.processor.pad([prompt]), "pixel_values": scorer.processor.preprocess_images([image])}
        batch = {k: v.to(scorer.device) for k, v in batch.items()}
        new = scorer.model.generate(**batch, max_new_tokens=new_tokens, do_sample=False,
                                    pad_token_id=tokenizer.pad_token_id)
        match = pattern.search(tokenizer.decode(new[0], skip_special_tokens=True))
        level = len(scorer.words) - scorer.words.index(match.group(1).lower()) if match else None
        out.append(None if level is None else level_to_score(level, scorer.range, len(scorer.words)))
    return out


def _rate(fn, images, repeats: int) -> float:
    fn(images[: min(4, len(images))])  # warm-up
    best = float("inf")
    for _ in range(repeats):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn(images)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return len(images) / best


def main() -> None:
    from aesthetic_mllm.model.loading import from_preset
    from aesthetic_mllm.scoring import AestheticScorer
    from aesthetic_mllm.scoring.inference import default_device, default_dtype

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--new-tokens", type=int, default=12, help="naive scorer: tokens generated per image")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    torch.manual_seed(0)
    device = default_device()
    model, processor = from_preset(args.preset)
    model = model.to(device=device, dtype=getattr(torch, default_dtype(device)))
    images = _photos(args.images)
    rates = {}
    for batch in (1, 16):
        scorer = AestheticScorer(model, processor, score_range=(1, 10), batch_size=batch)
        with torch.no_grad():
            rates[f"scorer_batch{batch}"] = _rate(scorer.score, images, args.repeats)
    naive = AestheticScorer(model, processor, score_range=(1, 10), batch_size=1)
    with torch.no_grad():
        rates["naive_generate_parse"] = _rate(lambda ims: naive_scores(naive, ims, args.new_tokens),
                                              images[: max(8, args.images // 4)], args.repeats)
    report = {
        "device": str(device), "preset": args.preset, "images": args.images, "threads": torch.get_num_threads(),
        "images_per_s": {k: round(v, 1) for k, v in rates.items()},
        "speedup_batch1_vs_naive": round(rates["scorer_batch1"] / rates["naive_generate_parse"], 1),
        "speedup_batch16_vs_naive": round(rates["scorer_batch16"] / rates["naive_generate_parse"], 1),
    }
    print(json.dumps(report, indent=2))
    print(f"AestheticScorer at batch 16 scores {report['speedup_batch16_vs_naive']}x as many images/s "
          f"as per-image generate-and-parse ({report['speedup_batch1_vs_naive']}x at batch 1)")


if __name__ == "__main__":
    main()
