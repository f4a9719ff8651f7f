"""Rating words <-> levels <-> scores in a dataset's native range (explicit everywhere).

Levels run from 1 (worst word) to ``len(words)`` (best word); ``words`` are listed best first.
Part of the prompt contract: the scoring task (training) and every scorer (inference) share these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

RATING_WORDS: tuple[str, ...] = ("excellent", "good", "fair", "poor", "bad")


def _check_range(score_range: Sequence[float]) -> tuple[float, float]:
    lo, hi = float(score_range[0]), float(score_range[1])
    if not hi > lo:
        raise ValueError(f"score_range must be (low, high) with high > low, got {tuple(score_range)}")
    return lo, hi


def score_to_level(score: float, score_range: Sequence[float], num_levels: int = 5) -> float:
    """Map a native-range score linearly onto ``[1, num_levels]`` (clipped)."""
    lo, hi = _check_range(score_range)
    level = 1.0 + (num_levels - 1) * (float(score) - lo) / (hi - lo)
    return min(max(level, 1.0), float(num_levels))


def level_to_score(level: float, score_range: Sequence[float], num_levels: int = 5) -> float:
    """Map a level in ``[1, num_levels]`` back to the native range (inverse of ``score_to_level``)."""
    lo, hi = _check_range(score_range)
    return lo + (float(level) - 1.0) * (hi - lo) / (num_levels - 1)


def level_to_word(level: float, words: Sequence[str] = RATING_WORDS) -> str:
    """The word of the nearest level (``words`` best first)."""
    nearest = min(max(math.floor(level + 0.5), 1), len(words))
    return words[len(words) - nearest]


def histogram_to_word_distribution(histogram: Sequence[float], words: Sequence[str] = RATING_WORDS) -> list[float]:
    """Re-bin vote counts over equally spaced ratings onto the word levels; probabilities in ``words`` order.

    Each rating bin sits at its position on the level axis and splits its mass linearly between
    the two nearest levels, so the expected level equals the histogram's mean (mapped).
    """
    counts = [float(c) for c in histogram]
    total = sum(counts)
    if not counts or any(c < 0 for c in counts) or total <= 0:
        raise ValueError(f"a vote histogram needs non-negative counts with a positive sum, got {list(histogram)}")
    k = len(words)
    probs_by_level = [0.0] * k  # index 0 = level 1 (worst)
    for i, count in enumerate(counts):
        _split(probs_by_level, (k - 1) * (i / (len(counts) - 1) if len(counts) > 1 else 0.5), count / total)
    return probs_by_level[::-1]


def score_to_word_distribution(score: float, score_range: Sequence[float],
                               words: Sequence[str] = RATING_WORDS) -> list[float]:
    """A score without votes (a MOS) as probabilities in ``words`` order: a histogram with every vote
    at the score, so its two nearest levels share the mass and the expected level is the score's."""
    probs_by_level = [0.0] * len(words)
    _split(probs_by_level, score_to_level(score, score_range, len(words)) - 1.0, 1.0)
    return probs_by_level[::-1]


def _split(probs_by_level: list[float], position: float, mass: float) -> None:
    """Add ``mass`` at ``position`` (0 = the worst level) linearly to its two nearest levels."""
    low = min(int(math.floor(position)), len(probs_by_level) - 1)
    frac = position - low
    probs_by_level[low] += mass * (1.0 - frac)
    if frac > 0:
        probs_by_level[low + 1] += mass * frac


def histogram_mean(histogram: Sequence[float], score_range: Sequence[float]) -> float:
    """Mean score of a histogram whose bins are spread evenly over ``score_range``."""
    lo, hi = _check_range(score_range)
    n = len(histogram)
    values = [lo + (hi - lo) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    return sum(v * c for v, c in zip(values, histogram, strict=True)) / sum(histogram)


def parse_range(text: str | Sequence[float]) -> tuple[float, float]:
    """``"1,10"`` or ``(1, 10)`` -> (1.0, 10.0), with a clear error for anything else."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    try:
        lo, hi = (float(p) for p in parts)
    except (ValueError, TypeError):
        raise ValueError(f"a score range is 'LO,HI' (e.g. 1,10), got {text!r}") from None
    return _check_range((lo, hi))


def expected_level(probs):
    """Probability-weighted level from (..., words) probabilities (best word first).

    A numpy array gives a float64 array; a torch tensor gives a tensor of its dtype on its device,
    differentiable (the contract imports no torch: the weights are made by ``probs.new_tensor``).
    """
    weights = np.arange(probs.shape[-1], 0, -1, dtype=np.float64)
    if hasattr(probs, "new_tensor"):
        weights = probs.new_tensor(weights)
    return probs @ weights
