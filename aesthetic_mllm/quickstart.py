"""The offline quickstart: demo world -> stage 1 -> stage 2 -> PIAA -> evaluation and report.

Everything runs on CPU from code and PyPI-shipped photos (the demo world is synthetic). Stage 1
learns from plentiful unlabeled views of the train photos (pixel pseudo-labels, no scores);
stage 2 from the world's few scored train variants; the PIAA run teaches in-context
personalization on the train users. Everything is reported on held-out test photos never seen
in any stage (split by source photo), through the evaluation protocols in ``eval/world_*.yaml``:
SRCC/PLCC of scores against the known quality (bootstrap CIs, within-photo SRCC), the stage-1
ablation (the same stage-2 budget from scratch), suggestion accuracy beside its chance level,
in-context PIAA beside the population model, and whether the stage-2 model looks at the image
at all (its answer loss with each photo's own image and with another photo's).
``quickstart_report`` writes the Markdown, PNGs and the printed summary.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from .config import load_recipe
from .data.sources import load_source
from .evaluation.metrics import bootstrap_ci, plcc, srcc
from .quickstart_report import format_report, write_report
from .resources import resource_dir
from .train import train

__all__ = ["evaluate_world_piaa", "evaluate_world_scoring", "evaluate_world_suggestions", "format_report",
           "image_reliance", "run_quickstart", "suggestion_chance"]

RECIPES = resource_dir("recipes") / "quickstart"
PIAA_SETTINGS = ["shots=[10]", "draws=10", "queries=24"]


def _recipe_path(name: str) -> Path:
    path = RECIPES / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: quickstart recipe not found (run from a source checkout)")
    return path


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bench(model_dir: str | Path, name: str, out_dir: Path, overrides: list[str] | None = None):
    """One benchmark through the evaluation harness: (metrics, per-sample rows)."""
    from .evaluation.runner import run_benchmarks

    results = run_benchmarks(model_dir, [name], out_dir=out_dir, overrides=overrides, batch_size=32)
    return results[name], _rows(out_dir / "samples" / f"{name}.jsonl")


def within_photo_srcc(pred: np.ndarray, quality: np.ndarray, photos: np.ndarray) -> float:
    """Mean SRCC over source photos of the ranking of each photo's variants (content held fixed)."""
    return float(np.nanmean([srcc(pred[photos == p], quality[photos == p]) for p in sorted(set(photos))]))


def evaluate_world_scoring(model_dir: str | Path, split: str = "test", out_dir: str | Path | None = None) -> dict:
    """The ``world_scoring`` protocol on ``split``, read against the world's known quality.

    Returns n, SRCC/PLCC with 95% bootstrap intervals over images, the mean SRCC within each source
    photo, the SRCC against the vote means (the protocol's own target), the prediction spread and
    the per-image rows (id, photo, quality, pred).
    """
    with tempfile.TemporaryDirectory() as tmp:
        metrics, rows = _bench(model_dir, "world_scoring", Path(out_dir or tmp), [f"split={split}"])
    records = {r.id: r for r in load_source("world", None, split=split, subset="scoring", on_error="raise").records}
    pred = np.array([r["pred"] for r in rows])
    quality = np.array([records[r["id"]].meta["quality"] for r in rows])
    photos = np.array([records[r["id"]].meta["photo"] for r in rows])
    return {"n": len(rows), "srcc": srcc(pred, quality), "srcc_ci95": list(bootstrap_ci(srcc, pred, quality)),
            "plcc": plcc(pred, quality), "plcc_ci95": list(bootstrap_ci(plcc, pred, quality)),
            "srcc_within_photo": within_photo_srcc(pred, quality, photos), "srcc_vs_votes": metrics.get("srcc"),
            "pred_std": float(pred.std()),
            "rows": [{"id": r["id"], "image": r["image"], "photo": str(p), "quality": float(q), "pred": float(s)}
                     for r, p, q, s in zip(rows, photos, quality, pred, strict=True)]}


def suggestion_chance(split: str = "test", repeats: int = 20, seed: int = 0) -> float:
    """Suggestion accuracy of advice drawn at random from the train images' known advice."""
    from .evaluation.advice import judge_advice, suggestion_metrics

    pool = [" ".join(r.meta["suggestions"]) for r in load_source("world", None, split="train", subset="scoring").records
            if r.meta["suggestions"]]
    edited = [r for r in load_source("world", None, split=split, subset="scoring").records if r.meta["edits"]]
    rng = random.Random(seed)
    scores = [suggestion_metrics(judge_advice(rng.choice(pool), r.meta["edits"]) for r in edited)["suggestion_accuracy"]
              for _ in range(repeats)]
    return float(np.mean(scores))


def evaluate_world_suggestions(model_dir: str | Path, out_dir: str | Path) -> dict:
    """The ``world_suggesting`` protocol: does the advice name the inverse of the applied edit?"""
    metrics, rows = _bench(model_dir, "world_suggesting", Path(out_dir),
                           ["metrics=[suggestion_accuracy, wrong_direction_rate]"])
    return {"n": metrics["n"], "edits": metrics["edits"], "suggestion_accuracy": metrics["suggestion_accuracy"],
            "wrong_direction_rate": metrics.get("wrong_direction_rate"), "chance": suggestion_chance(),
            "examples": {r["id"]: r["prediction"] for r in rows}}


def evaluate_world_piaa(piaa_dir: str | Path, population_dir: str | Path, out_dir: str | Path,
                        settings: list[str] | None = None) -> dict:
    """``world_piaa`` (in-context, k shots) beside the population model on the same queries.

    Per user and draw, SRCC on that draw's query images; mean over draws per user; mean and std
    over users, for the in-context model and for the population model's zero-shot scores.
    """
    from .scoring import AestheticScorer

    settings = settings or PIAA_SETTINGS
    metrics, rows = _bench(piaa_dir, "world_piaa", Path(out_dir), settings)
    labels = {(r.user_id, r.id): r.score for r in load_source("world", None, split="test", subset="users").records}
    images = sorted({r["image"] for r in rows})
    scorer = AestheticScorer.from_pretrained(population_dir, score_range=(1.0, 5.0), batch_size=32)
    population = dict(zip(images, (s.score for s in scorer.score(images)), strict=True))
    draws: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        draws[row["user"], row["draw"]].append(row)
    per_user: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"icl": [], "population": []})
    for (user, _), ep in sorted(draws.items()):
        true = [labels[user, r["id"]] for r in ep]
        per_user[user]["icl"].append(srcc([r["pred"] for r in ep], true))
        per_user[user]["population"].append(srcc([population[r["image"]] for r in ep], true))
    users = {u: {k: float(np.nanmean(v)) for k, v in d.items()} for u, d in sorted(per_user.items())}
    icl, pop = (np.array([u[k] for u in users.values()]) for k in ("icl", "population"))
    k = int(json.loads(settings[0].split("=", 1)[1])[0])
    return {"k": k, "users": len(users), "draws": len(rows and {r["draw"] for r in rows}),
            "icl_srcc": float(icl.mean()), "icl_srcc_std": float(icl.std()),
            "population_srcc": float(pop.mean()), "population_srcc_std": float(pop.std()),
            "gain": float((icl - pop).mean()), "wins": int((icl > pop).sum()), "per_user": users,
            "protocol_srcc": metrics.get(f"srcc@{k}")}


def run_quickstart(out_dir: str | Path = "outputs/quickstart", ablation: bool = True,
                   overrides: list[str] | None = None, piaa: bool = True, seed: int = 0) -> dict:
    """Train and evaluate as the module docstring says; writes ``report.json``/``report.md``/PNGs."""
    out = Path(out_dir)
    extra = [f"train.seed={seed}", *(overrides or [])]
    timings: dict[str, float] = {}
    start_all = time.perf_counter()

    def stage(name: str, recipe: str, *args: str) -> Path:
        start = time.perf_counter()
        print(f"\n== {name} ==", flush=True)
        path = train(load_recipe(_recipe_path(recipe), [f"output_dir={out / name}", *args, *extra]))
        timings[name] = round(time.perf_counter() - start, 1)
        return path

    stage1 = stage("stage1", "stage1.yaml")
    runs = {"with_stage1": stage("stage2", "stage2.yaml", f"model={stage1}")}
    if ablation:
        runs["without_stage1"] = stage("stage2_without_stage1", "stage2.yaml")
    piaa_dir = stage("piaa", "piaa.yaml", f"model={runs['with_stage1']}") if piaa else None
    report = evaluate_quickstart(out, runs, piaa_dir, timings, seed)
    timings["total"] = round(time.perf_counter() - start_all, 1)
    write_report(out, report)
    print("\n" + format_report(report))
    return report


def evaluate_quickstart(out: Path, runs: dict[str, Path], piaa_dir: Path | None, timings: dict[str, float],
                        seed: int = 0) -> dict:
    """The report's figures for trained ``runs`` (``with_stage1`` and optionally ``without_stage1``)."""
    print("\n== evaluation on demo-world test photos (synthetic; never seen in any stage) ==", flush=True)
    start = time.perf_counter()
    evals = out / "eval"
    report: dict[str, Any] = {"synthetic_data": True, "seed": seed, "seconds": timings}
    report["results"] = {name: evaluate_world_scoring(path, out_dir=evals / name) for name, path in runs.items()}
    report["suggestions"] = evaluate_world_suggestions(runs["with_stage1"], evals / "suggestions")
    if piaa_dir is not None:
        report["piaa"] = evaluate_world_piaa(piaa_dir, runs["with_stage1"], evals / "piaa")
    report["image_reliance"] = image_reliance(runs["with_stage1"])
    report["examples"] = _examples(runs["with_stage1"], report)
    timings["evaluation"] = round(time.perf_counter() - start, 1)
    return report


def image_reliance(model_dir: str | Path, split: str = "test", tasks: tuple[str, ...] = ("scoring", "suggesting"),
                   samples: int = 64) -> dict[str, dict[str, float]]:
    """Per task, the answer loss on ``split``'s photos with their own images and with other photos'."""
    from .evaluation.image_reliance import answer_losses
    from .model.loading import load_model

    model, processor = load_model(model_dir)
    model.eval()
    records = load_source("world", None, split=split, subset="scoring", on_error="raise").records
    checks = {}
    for task in tasks:
        own, other = answer_losses(model, processor, records, task, samples)
        checks[task] = {"own": own, "other": other}
    return checks


def _examples(model_dir: Path, report: dict, count: int = 6) -> list[dict]:
    """A few held-out variants (the cleanest and most damaged of some photos) with the model's outputs."""
    from .scoring import AestheticScorer

    records = {r.id: r for r in load_source("world", None, split="test", subset="scoring").records}
    rows = report["results"]["with_stage1"]["rows"]
    by_photo: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_photo[row["photo"]].append(row)
    chosen = []
    for photo in sorted(by_photo)[: count // 2]:
        ranked = sorted(by_photo[photo], key=lambda r: r["quality"])
        chosen += [ranked[-1], ranked[0]]
    scorer = AestheticScorer.from_pretrained(model_dir, score_range=(1.0, 10.0), batch_size=32)
    images = [r["image"] for r in chosen]
    comments = scorer.comment(images, max_new_tokens=40)
    advice = scorer.suggest(images, max_new_tokens=40)
    out = []
    for row, comment, tip in zip(chosen, comments, advice, strict=True):
        record = records[row["id"]]
        out.append({**row, "true_score": record.score, "comment": comment, "advice": tip,
                    "edits": [e["description"] for e in record.meta["edits"]],
                    "true_advice": list(record.meta["suggestions"])})
    return out
