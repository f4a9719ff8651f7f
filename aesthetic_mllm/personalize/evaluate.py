"""PIAA evaluation of the personalization methods on the demo world's simulated users (synthetic).

Protocol (FLICKR-AES style): per user, ``draws`` random draws of ``k`` support images; the query
set is the rest of the user's images. SRCC on the query set is averaged over draws, then
reported as mean +- std over users. Every choice (best single task vector, coefficients, step
count, ICL shots) sees the support images and their scores only: :func:`draw_predictions` is
never given a query label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..data.sources import load_source
from ..evaluation.metrics import srcc
from ..scoring.personal import PersonalScorer
from ..scoring.scorer import AestheticScorer
from .features import ScoringInputs
from .lora_bank import TaskVectorBank
from .task_vectors import FitConfig, FitResult, fit_coefficients, task_levels, task_srcc

METHODS = ("population", "best_task_vector", "task_vector_init", "task_vectors", "icl")
REFERENCES = ("other_user", "test_retest")
LABELS = {"population": "population model (base scorer)",
          "best_task_vector": "best single task vector (chosen on support)",
          "task_vector_init": "task vectors, softmax(T*SRCC) init (0 steps)",
          "task_vectors": "personalized task vectors (BT, steps chosen on support)",
          "icl": "in-context (k shots, cached prefix)",
          "other_user": "reference: another user's ratings as the prediction (human-predictor proxy)",
          "test_retest": "reference: the user's own re-ratings vs first ratings (within-person variability)"}


@dataclass
class UserRatings:
    """One user's rated images (first ratings) on ``score_range``, and (first, second) re-rating pairs."""

    user_id: str
    images: list[str]
    scores: np.ndarray
    score_range: tuple[float, float]
    retest: list[tuple[float, float]] = field(default_factory=list)


def world_users(split: str = "test", users: Sequence[str] | None = None) -> list[UserRatings]:
    """The demo world's simulated users on ``split`` (one first rating per image; re-ratings kept as pairs)."""
    rows = load_source("world", None, subset="users", split=split, on_error="raise").records
    by_id = {r.id: r for r in rows}
    records = [r for r in rows if not r.meta.get("rerating")]
    ids = list(dict.fromkeys(r.user_id for r in records)) if users is None else list(users)
    out = []
    for uid in ids:
        mine = [r for r in records if r.user_id == uid]
        if not mine:
            raise ValueError(f"no ratings for user {uid!r} on split {split!r}")
        retest = [(by_id[r.meta["first_rating"]].score, r.score) for r in rows
                  if r.user_id == uid and r.meta.get("rerating")]
        out.append(UserRatings(uid, [r.image for r in mine], np.array([r.score for r in mine]), mine[0].score_range,
                               retest))
    return out


def reference_lines(user: UserRatings, others: Sequence[UserRatings], queries: Sequence[np.ndarray]) -> dict:
    """Human reference SRCCs for ``user``: another user's ratings of the same query images (mean over
    the other users, per draw) and the user's own test-retest agreement (re-ratings vs first ratings)."""
    out: dict[str, list[float]] = {}
    ratings = [dict(zip(other.images, other.scores, strict=True)) for other in others]
    if ratings:
        out["other_user"] = []
    for query in queries if ratings else ():
        per_other = []
        for theirs in ratings:
            common = [i for i in query if user.images[i] in theirs]
            if len(common) > 2:
                per_other.append(srcc([theirs[user.images[i]] for i in common], user.scores[common]))
        out["other_user"].append(float(np.nanmean(per_other)) if per_other else float("nan"))
    if len(user.retest) > 2:
        first, second = map(np.array, zip(*user.retest, strict=True))
        out["test_retest"] = [srcc(second, first)]
    return out


def draw_supports(n: int, k: int, draws: int, seed: int) -> list[np.ndarray]:
    """``draws`` random support sets of ``k`` indices out of ``n`` (sorted)."""
    if not 2 <= k < n:
        raise ValueError(f"need 2 <= k < number of images, got k={k} with {n} images")
    rng = np.random.default_rng(seed)
    return [np.sort(rng.choice(n, size=k, replace=False)) for _ in range(draws)]


@dataclass
class UserContext:
    """What is computed once per user: scoring inputs and each fixed model's levels on all images."""

    user: UserRatings
    inputs: ScoringInputs
    population: np.ndarray
    task_levels: np.ndarray

    @classmethod
    def build(cls, scorer: AestheticScorer, bank: TaskVectorBank, user: UserRatings) -> UserContext:
        inputs = ScoringInputs(scorer, user.images)
        return cls(user, inputs, inputs.levels().cpu().numpy(), task_levels(bank, inputs))


@dataclass
class DrawResult:
    """Predictions on the query images per method, and the support-only choices behind them."""

    predictions: dict[str, np.ndarray]
    best_task: int
    fit: FitResult


def draw_predictions(ctx: UserContext, scorer: AestheticScorer, bank: TaskVectorBank, support: np.ndarray,
                     support_scores: np.ndarray, query: np.ndarray, config: FitConfig, icl: bool = True) -> DrawResult:
    """Every method's predictions on ``query`` from the support images and their scores only."""
    fit = fit_coefficients(bank, ctx.inputs.subset(support), support_scores, levels=ctx.task_levels[:, support], config=config)
    best = int(np.argmax(task_srcc(ctx.task_levels[:, support], support_scores)))
    preds = {"population": ctx.population[query], "best_task_vector": ctx.task_levels[best, query]}
    for name, coef in (("task_vector_init", fit.init), ("task_vectors", fit.coefficients)):
        with bank.attached(ctx.inputs.model, torch.as_tensor(coef, dtype=torch.float32)):
            preds[name] = ctx.inputs.levels(query).cpu().numpy()
    if icl:
        examples = [(ctx.user.images[i], float(s)) for i, s in zip(support, support_scores, strict=True)]
        personal = PersonalScorer(scorer.model, scorer.processor, examples, ctx.user.score_range,
                                  batch_size=scorer.batch_size)
        preds["icl"] = np.array([r.score for r in personal.score([ctx.user.images[i] for i in query])])
    return DrawResult(preds, best, fit)


def evaluate_user(ctx: UserContext, scorer: AestheticScorer, bank: TaskVectorBank, k: int = 10, draws: int = 10,
                  seed: int = 0, config: FitConfig | None = None, icl: bool = True,
                  others: Sequence[UserRatings] = ()) -> dict:
    """Per-method query SRCC of each draw for one user, plus the support-only choices made."""
    scores = ctx.user.scores
    all_idx = np.arange(len(scores))
    per_method: dict[str, list[float]] = {}
    choices, queries = [], []
    for support in draw_supports(len(scores), k, draws, seed):
        query = np.setdiff1d(all_idx, support)
        queries.append(query)
        result = draw_predictions(ctx, scorer, bank, support, scores[support], query, config or FitConfig(), icl)
        for method, pred in result.predictions.items():
            per_method.setdefault(method, []).append(srcc(pred, scores[query]))
        choices.append({"best_task": bank.names[result.best_task], "steps": result.fit.steps,
                        "coefficients": result.fit.coefficients.tolist()})
    per_method.update(reference_lines(ctx.user, others, queries))
    return {"srcc": per_method, "choices": choices}


def evaluate_personalization(base_model: str | Path, task_vectors: Sequence[str | Path],
                             users: Sequence[UserRatings] | None = None, k: int = 10, draws: int = 10,
                             seed: int = 0, config: FitConfig | None = None, icl: bool = True,
                             progress: bool = True, reference_users: Sequence[UserRatings] | None = None) -> dict:
    """Evaluate all methods on ``users`` (default: the world's test-split users); a JSON-ready report.

    ``reference_users`` is the pool for the "another user" reference line (default: ``users``)."""
    from ..model.loading import load_model

    model, processor = load_model(base_model)
    model.requires_grad_(False)
    scorer = AestheticScorer(model, processor, batch_size=32)
    bank = TaskVectorBank.from_dirs(task_vectors)
    per_user = {}
    users = list(users) if users is not None else world_users()
    for user in users:
        ctx = UserContext.build(scorer, bank, user)
        others = [u for u in (reference_users or users) if u.user_id != user.user_id]
        per_user[user.user_id] = evaluate_user(ctx, scorer, bank, k, draws, seed, config, icl, others)
        if progress:
            means = {m: float(np.nanmean(v)) for m, v in per_user[user.user_id]["srcc"].items()}
            print(user.user_id, " ".join(f"{m}={v:.3f}" for m, v in means.items()), flush=True)
    return {"synthetic_data": True, "k": k, "draws": draws, "seed": seed, "task_vectors": bank.names,
            "summary": summarize(per_user), "users": per_user}


def summarize(per_user: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Per method: SRCC averaged over draws per user, then mean and std over users."""
    out = {}
    for method in (*METHODS, *REFERENCES):
        user_means = [float(np.nanmean(u["srcc"][method])) for u in per_user.values() if method in u["srcc"]]
        if user_means:
            out[method] = {"mean": float(np.mean(user_means)), "std": float(np.std(user_means)),
                           "users": len(user_means)}
    return out


def format_table(report: dict) -> str:
    """A Markdown table of the summary (labelled synthetic)."""
    lines = [f"PIAA on the demo world's simulated users (SYNTHETIC), k={report['k']}, {report['draws']} draws; "
             "SRCC on the query images, mean over draws, then mean +- std over users", "",
             "| method | SRCC | users |", "|---|---|---|"]
    for method, s in report["summary"].items():
        lines.append(f"| {LABELS[method]} | {s['mean']:.3f} +- {s['std']:.3f} | {s['users']} |")
    return "\n".join(lines) + "\n"
