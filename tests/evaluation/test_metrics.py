"""Score metrics against scipy on fixed inputs; caption metrics without Java (METEOR unavailable)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from aesthetic_mllm.evaluation import METRICS
from aesthetic_mllm.evaluation.caption_metrics import caption_metrics, simple_tokenize
from aesthetic_mllm.evaluation.metrics import bootstrap_ci, srcc

PRED = [5.1, 6.3, 4.2, 7.7, 5.5, 3.9, 6.0]
TRUE = [5.0, 6.8, 4.9, 7.1, 5.2, 4.4, 5.1]
CAPTIONS = ["Nice colors, but the horizon is tilted.", "too dark", "A sharp, well composed portrait!"]
REFERENCES = [["Lovely colours; the horizon is tilted.", "nice colors but tilted"],
              ["Too dark: raise the exposure.", "underexposed and dark"],
              ["A sharp portrait, well composed.", "great portrait"]]


def test_score_metrics_match_scipy():
    assert METRICS["srcc"](PRED, TRUE) == pytest.approx(stats.spearmanr(PRED, TRUE).statistic)
    assert METRICS["plcc"](PRED, TRUE) == pytest.approx(stats.pearsonr(PRED, TRUE).statistic)
    assert METRICS["mae"](PRED, TRUE) == pytest.approx(np.mean(np.abs(np.subtract(PRED, TRUE))))
    expected = np.mean((np.array(PRED) > 5) == (np.array(TRUE) > 5))
    assert METRICS["accuracy"](PRED, TRUE, threshold=5) == pytest.approx(expected)
    assert np.isnan(METRICS["srcc"]([1.0, 1.0, 1.0], TRUE[:3]))  # constant predictions: undefined, no warning


def test_bootstrap_ci_brackets_the_estimate_and_narrows_with_more_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    y = x + rng.normal(size=400)
    low, high = bootstrap_ci(srcc, x[:40], y[:40])
    wide = high - low
    assert low < srcc(x[:40], y[:40]) < high
    low, high = bootstrap_ci(srcc, x, y)
    assert low < srcc(x, y) < high and high - low < wide / 2


def test_missing_java_reports_meteor_unavailable(no_java, caplog):
    scores, notes = caption_metrics(CAPTIONS, REFERENCES)
    assert scores["meteor"] is None
    assert notes and "Java was not found" in notes[0] and "METEOR is unavailable" in caplog.text
    assert all(0 <= scores[m] <= 1 for m in ("bleu_1", "bleu_4", "rouge_l")) and scores["cider"] > 0
    assert simple_tokenize("Nice colors, but it's TOO dark...") == "nice colors but it's too dark"


def test_caption_metrics_reject_bad_input(no_java):
    with pytest.raises(ValueError, match="one reference list per prediction"):
        caption_metrics(["a"], [])
    with pytest.raises(ValueError, match="unknown caption metric"):
        caption_metrics(["a"], [["a"]], ["spice"])
    scores, _ = caption_metrics(["", "good light"], [["fine"], ["good light"]], ["bleu_1", "cider"])
    assert set(scores) == {"bleu_1", "cider"}
