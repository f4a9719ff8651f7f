"""The PIAA protocol never looks at query labels when choosing or predicting anything."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.evaluation.benchmark import Benchmark
from aesthetic_mllm.evaluation.piaa_plan import plan_episodes
from aesthetic_mllm.evaluation.protocols.piaa import PIAAProtocol
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.scoring import AestheticScorer
from aesthetic_mllm.scoring.personal import PersonalScorer


@pytest.fixture(scope="module")
def scorer():
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    return AestheticScorer(model, processor, batch_size=4)


@pytest.fixture(scope="module")
def records(photos, tmp_path_factory):
    """Two users with 8 distinctly rated images, one with 3 (too few), plus a repeated rating to ignore."""
    folder = tmp_path_factory.mktemp("piaa")
    paths = []
    for i in range(8):
        path = folder / f"img{i}.jpg"
        photos[i % 4].resize((48 + 8 * i, 40)).save(path)
        paths.append(str(path))
    out = [Record(id=f"{u}/{i}", source="t", images=[paths[i]], score=1 + (3 * i % 8) / 2, score_range=(1, 5),
                  user_id=u, attributes={"composition": 4.0}) for u in ("ua", "ub") for i in range(8)]
    out += [Record(id=f"uc/{i}", source="t", images=[paths[i]], score=3.0, score_range=(1, 5), user_id="uc")
            for i in range(3)]
    return out + [Record(id="ua/9-retest", source="t", images=[paths[0]], score=1.0, score_range=(1, 5), user_id="ua")]


def _protocol(**fields) -> PIAAProtocol:
    bench = Benchmark(name="t", source="t", protocol="piaa", task="piaa", metrics=["srcc", "plcc"],
                      **{"shots": [2, 3], "draws": 3, "queries": 3, **fields})
    return PIAAProtocol(bench)


def _poison(records, ids) -> list[Record]:
    return [dataclasses.replace(r, score=math.nan, attributes={"composition": math.nan})
            if (r.user_id, r.id) in ids else r for r in records]


def _plans(episodes):
    return [(e.user, e.k, e.draw, [s.id for s in e.support], [q.id for q in e.queries]) for e in episodes]


def test_fixed_queries_poisoned_with_nan_change_neither_selection_nor_predictions(records, scorer):
    clean = _protocol()
    episodes = clean.episodes(records)
    assert {e.user for e in episodes} == {"ua", "ub"}  # uc has too few images; the retest row is dropped
    query_ids = {(e.user, q.id) for e in episodes for q in e.queries}
    poisoned = _protocol()
    bad = poisoned.episodes(_poison(records, query_ids))
    assert _plans(bad) == _plans(episodes)
    assert all(q.score is None and not q.attributes for e in bad for q in e.queries)
    rows, bad_rows = clean.predict(scorer, episodes), poisoned.predict(scorer, bad)
    np.testing.assert_allclose([r["pred"] for r in bad_rows], [r["pred"] for r in rows], rtol=1e-6)
    metrics, _ = clean.summarize(rows)
    assert all(math.isfinite(metrics[f"{m}@{k}"]) for m in ("srcc", "plcc") for k in (2, 3))
    assert all(math.isnan(v) for k, v in poisoned.summarize(bad_rows)[0].items() if not k.startswith("users"))


def test_rest_mode_episode_ignores_its_query_labels(records, scorer):
    protocol = _protocol(queries=None, min_queries=2, shots=[2], draws=2)
    first = protocol.episodes(records)[0]
    again = [e for e in _protocol(queries=None, min_queries=2, shots=[2], draws=2).episodes(
        _poison(records, {(first.user, q.id) for q in first.queries})) if (e.user, e.draw) == (first.user, 0)][0]
    assert _plans([again]) == _plans([first])
    assert [r["pred"] for r in protocol.predict(scorer, [again])] == pytest.approx(
        [r["pred"] for r in protocol.predict(scorer, [first])], rel=1e-6)


def test_the_personal_scorer_only_ever_receives_query_images(records, scorer, monkeypatch):
    seen = []
    real_init, real_score = PersonalScorer.__init__, PersonalScorer.score

    def spy_init(self, model, processor, examples, **kwargs):
        seen.append(("examples", list(examples)))
        real_init(self, model, processor, examples, **kwargs)

    def spy_score(self, images, *args, **kwargs):
        seen.append(("queries", list(images)))
        return real_score(self, images, *args, **kwargs)

    monkeypatch.setattr(PersonalScorer, "__init__", spy_init)
    monkeypatch.setattr(PersonalScorer, "score", spy_score)
    protocol = _protocol(shots=[2], draws=1)
    episodes = protocol.episodes(records)
    preds = [r["pred"] for r in protocol.predict(scorer, episodes)]
    assert [kind for kind, _ in seen] == ["examples", "queries"] * len(episodes)
    for ep, (_, examples), (_, queries) in zip(episodes, seen[::2], seen[1::2], strict=True):
        assert examples == [(s.image, s.score) for s in ep.support]  # labelled shots
        assert queries == [q.image for q in ep.queries] and all(isinstance(q, str) for q in queries)  # paths only
    assert all(1 <= p <= 5 for p in preds)


def test_plans_are_reproducible_disjoint_and_per_user():
    ids = {"a": [f"a{i}" for i in range(12)], "b": [f"b{i}" for i in range(12)], "c": ["c0", "c1"]}
    plans = plan_episodes(ids, shots=[2, 4], draws=3, queries=5, seed=7)
    assert plans == plan_episodes(ids, shots=[2, 4], draws=3, queries=5, seed=7)
    assert {p.user for p in plans} == {"a", "b"} and len(plans) == 2 * 2 * 3
    for user in ("a", "b"):
        mine = [p for p in plans if p.user == user]
        assert len({p.queries for p in mine}) == 1  # fixed queries: the same for every k and draw
        assert all(not set(p.support) & set(p.queries) and len(p.support) == p.k for p in mine)
        assert len({p.support for p in mine if p.k == 2}) > 1  # draws differ
    only_b = plan_episodes({"b": ids["b"]}, shots=[2, 4], draws=3, queries=5, seed=7)
    assert only_b == [p for p in plans if p.user == "b"]  # a user's plan does not depend on the others
    rest = plan_episodes(ids, shots=[4], draws=2, queries=None, min_queries=3)
    assert all(sorted(p.support + p.queries) == sorted(ids[p.user]) for p in rest)
    assert [p.user for p in plan_episodes(ids, [2], 1, max_users=1)] == ["a"]


def test_summary_is_mean_over_draws_then_mean_and_std_over_users(records):
    protocol = _protocol(shots=[2], draws=2)
    episodes = protocol.episodes(records)
    rows = []
    for e in episodes:  # user ua: perfect order in both draws; ub: perfect, then reversed
        sign = -1 if (e.user, e.draw) == ("ub", 1) else 1
        rows += [{"user": e.user, "k": e.k, "draw": e.draw, "id": q.id,
                  "pred": sign * protocol.labels[e.user, q.id] + 1e-3 * i} for i, q in enumerate(e.queries)]
    per_user = protocol.per_user(rows, "srcc")[2]
    metrics, notes = protocol.summarize(rows)
    means = [per_user[u][0] for u in ("ua", "ub")]
    assert metrics["srcc@2"] == pytest.approx(np.mean(means)) and metrics["srcc@2_std"] == pytest.approx(np.std(means))
    assert per_user["ua"][0] == pytest.approx(1.0) and metrics["users@2"] == 2 and "2 draws per user" in notes[0]
