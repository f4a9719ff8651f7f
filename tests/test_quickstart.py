"""The quickstart's evaluation and report: known-quality joins, chance levels, PIAA vs population."""

from __future__ import annotations

import numpy as np

from aesthetic_mllm.data.sources import load_source
from aesthetic_mllm.quickstart import (
    evaluate_world_piaa,
    evaluate_world_scoring,
    format_report,
    image_reliance,
    suggestion_chance,
    within_photo_srcc,
)
from aesthetic_mllm.quickstart_report import write_report


def test_within_photo_srcc_ranks_each_photo_separately():
    quality = np.array([1.0, 0.5, 0.2, 1.0, 0.6, 0.1])
    photos = np.array(["a", "a", "a", "b", "b", "b"])
    offset = np.array([0, 0, 0, 10, 10, 10])  # photo b scored far higher: pooled ranking suffers, within does not
    assert within_photo_srcc(quality + offset, quality, photos) == 1.0
    assert within_photo_srcc(-quality, quality, photos) == -1.0


def test_suggestion_chance_is_a_low_baseline():
    chance = suggestion_chance("test", repeats=5)
    assert 0.0 < chance < 0.4


def test_scoring_and_piaa_evaluation_and_report(tiny_dir, tmp_path):
    result = evaluate_world_scoring(tiny_dir, split="val", out_dir=tmp_path / "scoring")
    records = {r.id: r for r in load_source("world", None, split="val", subset="scoring").records}
    assert result["n"] == len(records) == len(result["rows"])
    assert all(row["quality"] == records[row["id"]].meta["quality"] for row in result["rows"])
    low, high = result["srcc_ci95"]
    assert low <= result["srcc"] <= high and -1 <= result["srcc_within_photo"] <= 1
    piaa = evaluate_world_piaa(tiny_dir, tiny_dir, tmp_path / "piaa", ["shots=[2]", "draws=2", "queries=4"])
    assert piaa["k"] == 2 and piaa["users"] == 10 and piaa["draws"] == 2
    per_user = piaa["per_user"].values()
    assert np.isclose(piaa["gain"], np.mean([u["icl"] - u["population"] for u in per_user]))
    reliance = image_reliance(tiny_dir, split="val", tasks=("scoring",), samples=8)
    assert set(reliance) == {"scoring"} and reliance["scoring"]["own"] > 0
    report = {"results": {"with_stage1": result}, "seconds": {"stage1": 1.0}, "piaa": piaa,
              "image_reliance": {"scoring": {"own": 0.1199, "other": 0.1198}},
              "suggestions": {"n": 3, "edits": 4, "suggestion_accuracy": 0.5, "wrong_direction_rate": 0.25,
                              "chance": 0.1}}
    write_report(tmp_path / "out", report)
    text = (tmp_path / "out" / "report.md").read_text()
    assert text == format_report(report) and "SYNTHETIC" in text and f"[{low:.2f}, {high:.2f}]" in text
    assert "50.0% (chance, advice of a random train image: 10.0%" in text
    assert "in-context, 2 shots" in text and "population model" in text
    assert "scoring 0.1199 / 0.1198 (about equal: the answers come from the text" in text
    reading = {**report, "image_reliance": {"scoring": {"own": 0.10, "other": 0.35}}}
    assert "(the answers depend on the image;" in format_report(reading)
    assert (tmp_path / "out" / "scatter.png").stat().st_size > 1000
    assert (tmp_path / "out" / "piaa_users.png").stat().st_size > 1000
