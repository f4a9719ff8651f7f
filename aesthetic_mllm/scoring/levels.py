"""Moved to :mod:`aesthetic_mllm.contract.levels` and :mod:`aesthetic_mllm.contract.prompts`."""

from ..contract.levels import *  # noqa: F403
from ..contract.levels import RATING_WORDS
from ..contract.prompts import ANSWER_TEMPLATE, SCORE_QUESTION
from ..contract.prompts import SCORE_QUESTIONS as QUESTIONS

DEFAULT_RATING_WORDS = RATING_WORDS
SCORE_ANSWER_PREFIX = ANSWER_TEMPLATE.split("{word}")[0].rstrip()
__all__ = ["ANSWER_TEMPLATE", "DEFAULT_RATING_WORDS", "QUESTIONS", "SCORE_ANSWER_PREFIX", "SCORE_QUESTION"]
