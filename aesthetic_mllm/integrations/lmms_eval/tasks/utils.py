"""Functions of the aesthetic scoring task (named by ``_aesthetic_scoring_base.yaml``).

The rating-word answers' log-likelihoods are turned into probabilities (softmax over the
answers), the expected level (best word = highest level) is mapped linearly onto the document's
score range, exactly as :class:`aesthetic_mllm.scoring.AestheticScorer` reads a score; SRCC and
PLCC are computed over every document by :mod:`aesthetic_mllm.evaluation.metrics`.
"""

from __future__ import annotations

import ast

import numpy as np

from aesthetic_mllm.contract.levels import expected_level, level_to_score
from aesthetic_mllm.data.images import open_image
from aesthetic_mllm.evaluation import metrics

Pair = tuple[float, float]


def doc_to_visual(doc: dict) -> list:
    return [open_image(doc["image"])]


def doc_to_text(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    return doc["question"]


def doc_to_choice(doc: dict) -> list[str]:
    return list(doc["choices"])


def predicted_score(loglikelihoods, low: float, high: float) -> float:
    """Score in ``[low, high]`` from the answers' log-likelihoods (best word first)."""
    ll = np.asarray(loglikelihoods, dtype=np.float64)
    probs = np.exp(ll - ll.max())
    probs /= probs.sum()
    level = float(expected_level(probs))
    return float(level_to_score(level, (low, high), len(probs)))


def loglikelihood_of(result) -> float:
    """The log-likelihood of one ``(loglikelihood, is_greedy)`` response.

    lmms-eval 0.7.3 stores non-text responses as ``str(response)`` (``unwrap_generation_output``), so a
    loglikelihood pair arrives as the text ``"(-12.5, False)"``; Python's float repr round-trips exactly.
    """
    if isinstance(result, str):
        result = ast.literal_eval(result)
    return float(result[0])


def process_results(doc: dict, results) -> dict[str, Pair]:
    pred = predicted_score([loglikelihood_of(r) for r in results], doc["low"], doc["high"])
    pair = (pred, float(doc["score"]))
    return {"srcc": pair, "plcc": pair, "mae": pair}


def _split(items) -> tuple[list[float], list[float]]:
    return [float(p) for p, _ in items], [float(t) for _, t in items]


def srcc(items) -> float:
    return metrics.srcc(*_split(items))


def plcc(items) -> float:
    return metrics.plcc(*_split(items))


def mae(items) -> float:
    return metrics.mae(*_split(items))
