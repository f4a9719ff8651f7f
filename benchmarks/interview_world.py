"""Interview-based personalization on the demo world's simulated users (SYNTHETIC answers and ratings).

For each simulated user: a scripted interview with the model's LLM (answers written from the
user's known taste), a profile, then the fused predictor (profile + MFA + MiniLM description
features, ridge) fit on k support ratings (``--draws`` random draws) and scored on the test photos,
beside the population model, the population mean, another user's ratings and test-retest error.
Run:

    .venv/bin/python benchmarks/interview_world.py [--model DIR] [--ks 10,20,40] [--draws 10] [--out FILE.json]

Without ``--model`` the randomly initialised ``tiny`` preset is used (its LLM output is unusable,
so every follow-up is templated and every profile comes from the lexicon analyzer).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

METHODS = [("fused", "fused (profile + MFA + text)"), ("no_profile", "same ridge without profile"),
           ("profile_only", "profile similarities only"), ("support_mean", "mean of the k support ratings")]
REFERENCES = [("population_model", "population model (ridge on other users)"),
              ("population_mean", "population mean (other users' mean rating)"),
              ("other_user", "another user as predictor (human proxy)"), ("test_retest", "test-retest (same user)")]


def format_report(result: dict) -> str:
    """A markdown table of the summary (means over users; support methods also over draws)."""
    lines = ["| method | k | MAE | SRCC | MAE on ratings >= 4 |", "|---|---|---|---|---|"]
    summary = result["summary"]
    for k in result["setup"]["ks"]:
        for key, label in METHODS:
            m = summary[f"k={k}"][key]
            lines.append(f"| {label} | {k} | {m['mae']:.3f} | {m['srcc']:.3f} | {m['mae_high']:.3f} |")
    for key, label in REFERENCES:
        m = summary[key]
        lines.append(f"| {label} | - | {m['mae']:.3f} | {m['srcc']:.3f} | {m['mae_high']:.3f} |")
    interviews = result["interviews"].values()
    sources = [i["analyzer"] for i in interviews]
    cosine = sum(i["weight_cosine"] for i in interviews) / len(sources)
    lines.append("")
    lines.append(f"Profiles: {sources.count('llm')} from the LLM, {sources.count('lexicon')} from the lexicon "
                 f"fallback; mean cosine(profile attribute weights, true taste weights) = {cosine:.2f}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="saved model directory (default: the random tiny preset)")
    parser.add_argument("--world", help="demo world directory (default: the cache; built when missing)")
    parser.add_argument("--ks", default="10,20,40", help="support sizes")
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--followup-tokens", type=int, default=32)
    parser.add_argument("--analyzer-tokens", type=int, default=128)
    parser.add_argument("--out", help="write the full results as JSON here")
    args = parser.parse_args()

    import torch

    from aesthetic_mllm.data.world import build_world, default_world_dir
    from aesthetic_mllm.model.loading import from_preset, load_model
    from aesthetic_mllm.personalize.interview import ModelLLM, evaluate_world

    torch.manual_seed(args.seed)
    model, processor = load_model(args.model) if args.model else from_preset("tiny")
    world = build_world(args.world or default_world_dir())
    start = time.time()
    result = evaluate_world(world, model.eval(), processor, ModelLLM(model, processor),
                            ks=[int(k) for k in args.ks.split(",")], draws=args.draws, seed=args.seed,
                            followup_tokens=args.followup_tokens, analyzer_tokens=args.analyzer_tokens)
    result["setup"]["model"] = args.model or "tiny preset (random init)"
    result["setup"]["seconds"] = round(time.time() - start, 1)
    print(format_report(result))
    print(f"\n{len(result['users'])} users, {result['setup']['test_images']} test images, "
          f"{result['setup']['seconds']} s. SYNTHETIC: simulated users, scripted answers.")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
