"""``piaa``: personalized k-shot assessment per user (FLICKR-AES / PARA / AADB / REAL-CUR protocols).

For each user with enough ratings, each k in ``shots`` and each of ``draws`` random draws, the
model sees k of the user's (image, score) pairs in context and scores the user's query images
(:mod:`..piaa_plan` plans the draws; :class:`~aesthetic_mllm.scoring.personal.PersonalScorer`
encodes the k-shot prefix once per draw and reuses its KV cache for every query). Selection
uses record ids only and the scorer receives only the query images, never their labels;
nothing is tuned on queries (in-context prompting has no steps to select). SRCC/PLCC per draw
-> mean over draws per user -> mean and std over users: ``srcc@k``, ``srcc@k_std``, ``plcc@k``,
``plcc@k_std``, ``users@k``. ``--limit N`` keeps the first N eligible users (sorted by id).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ...data.schema import Record
from .. import plots
from ..metrics import plcc, srcc
from ..piaa_plan import Episode, build_episodes
from .base import Metrics, Protocol, Row, load_records, register_protocol

CORRELATIONS = {"srcc": srcc, "plcc": plcc}


@register_protocol("piaa")
class PIAAProtocol(Protocol):
    """Personalized in-context scoring, k shots per user."""

    def samples(self, data_root: str | Path | None, limit: int | None) -> list[Episode]:
        records = load_records(self.bench, data_root, keep=lambda r: r.user_id is not None and r.score is not None)
        return self.episodes(records, limit)

    def episodes(self, records: list[Record], max_users: int | None = None) -> list[Episode]:
        """Label-free episodes of ``records``; their labels are kept here for :meth:`summarize` only."""
        b = self.bench
        episodes = build_episodes(records, b.shots, b.draws, b.queries, b.min_queries, b.seed, max_users=max_users)
        if not episodes:
            raise ValueError(f"benchmark '{b.name}': no user has enough ratings for k={min(b.shots)} "
                             f"plus {b.queries or b.min_queries} queries")
        self.labels = {(r.user_id, r.id): r.score for r in records}
        return episodes

    def predict(self, scorer, samples: list[Episode]) -> list[Row]:
        if not samples:
            return []
        from ...scoring.personal import PersonalScorer

        rows: list[Row] = []
        for ep in samples:
            personal = PersonalScorer(scorer.model, scorer.processor, [(s.image, s.score) for s in ep.support],
                                      score_range=ep.queries[0].score_range, batch_size=scorer.batch_size)
            results = personal.score([q.image for q in ep.queries])
            rows += [{"user": ep.user, "k": ep.k, "draw": ep.draw, "id": q.id, "image": q.image, "pred": r.score,
                      "distribution": r.distribution} for q, r in zip(ep.queries, results, strict=True)]
        return rows

    def per_user(self, rows: list[Row], metric: str) -> dict[int, dict[str, tuple[float, float]]]:
        """k -> user -> (mean, std) over draws of ``metric`` on each draw's queries (labels joined here)."""
        episodes: dict[tuple[int, str, int], list[Row]] = defaultdict(list)
        for row in rows:
            episodes[row["k"], row["user"], row["draw"]].append(row)
        draws: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for (k, user, _), ep_rows in sorted(episodes.items()):
            true = [self.labels[user, r["id"]] for r in ep_rows]
            draws[k][user].append(CORRELATIONS[metric]([r["pred"] for r in ep_rows], true))
        return {k: {u: (_nanmean(v), _nanstd(v)) for u, v in by_user.items()} for k, by_user in sorted(draws.items())}

    def summarize(self, rows: list[Row]) -> tuple[Metrics, list[str]]:
        out: Metrics = {}
        users: Metrics = {}
        for metric in self.bench.metrics:
            if metric not in CORRELATIONS:
                raise ValueError(f"benchmark '{self.bench.name}': PIAA metrics are {sorted(CORRELATIONS)}, "
                                 f"got {metric!r}")
            for k, by_user in self.per_user(rows, metric).items():
                means = [m for m, _ in by_user.values()]
                out[f"{metric}@{k}"] = _nanmean(means)
                out[f"{metric}@{k}_std"] = _nanstd(means)
                users[f"users@{k}"] = len(by_user)
        out.update(users)
        notes = [f"{self.bench.draws} draws per user; query mode: "
                 + (f"{self.bench.queries} fixed query images per user" if self.bench.queries else "the rest")]
        return out, notes

    def plot(self, rows: list[Row], out_dir: Path) -> list[Path]:
        per_k = {f"k={k}": v for k, v in self.per_user(rows, "srcc").items()}
        name = self.bench.name
        return [plots.user_bars(per_k, out_dir / f"{name}_users.png", f"{name}: SRCC per user",
                                "SRCC (mean ± std over draws)")]


def _nanmean(values) -> float:
    arr = np.asarray(values, dtype=np.float64)
    return float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")


def _nanstd(values) -> float:
    arr = np.asarray(values, dtype=np.float64)
    return float(np.nanstd(arr)) if np.isfinite(arr).any() else float("nan")
