"""Scoring: rating-word probabilities -> native-range scores."""

from importlib import import_module
from typing import Any

from ..contract.levels import RATING_WORDS as DEFAULT_RATING_WORDS
from ..contract.levels import level_to_score, parse_range, score_to_level

# imported on first use, so that the command line builds its parser without torch
_LAZY = {"AestheticScorer": ".scorer", "ScoreResult": ".scorer", "PersonalScorer": ".personal"}

__all__ = ["DEFAULT_RATING_WORDS", "AestheticScorer", "PersonalScorer", "ScoreResult", "level_to_score", "parse_range", "score_to_level"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
