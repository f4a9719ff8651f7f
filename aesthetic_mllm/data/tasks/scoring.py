"""Scoring: the answer is a rating word; the soft target spreads the vote histogram over the words
(a MOS without votes: its two nearest words share the mass, so its expected level is the MOS's).

Levels run from 1 (worst word) to ``len(words)`` (best word); ``words`` are listed best first.
Scores are always read and written with their dataset's explicit native range.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ...contract.levels import (
    RATING_WORDS,
    histogram_mean,
    histogram_to_word_distribution,
    level_to_word,
    score_to_level,
    score_to_word_distribution,
)
from ...contract.prompts import ANSWER_TEMPLATE, SCORE_QUESTIONS, scoring_conversation
from ..schema import Record
from .base import Sample, TaskBuilder, register_task


@register_task("scoring")
class ScoringTask(TaskBuilder):
    """Answer with the rating word of the score's level; soft target from the vote histogram or the MOS."""

    def __init__(self, words: Sequence[str] = RATING_WORDS, questions: Sequence[str] = SCORE_QUESTIONS,
                 answer_template: str = ANSWER_TEMPLATE, soft_labels: bool = True, system: str | None = None):
        if len(words) < 2:
            raise ValueError("scoring needs at least two rating words")
        self.words, self.questions = tuple(words), tuple(questions)
        self.answer_template, self.soft_labels, self.system = answer_template, soft_labels, system

    def accepts(self, record: Record) -> bool:
        scored = record.score is not None or bool(record.histogram)
        return bool(record.images) and scored and record.score_range is not None

    def build(self, record: Record, rng: random.Random) -> Sample:
        score = record.score if record.score is not None else histogram_mean(record.histogram, record.score_range)
        level = score_to_level(score, record.score_range, len(self.words))
        word = level_to_word(level, self.words)
        meta = {"task": self.name, "score": score, "score_range": tuple(record.score_range), "level": level,
                "word": word, "words": list(self.words), "answer_template": self.answer_template}
        if self.soft_labels:
            meta["soft_target"] = (histogram_to_word_distribution(record.histogram, self.words) if record.histogram
                                   else score_to_word_distribution(score, record.score_range, self.words))
        conversation = scoring_conversation(word, rng.choice(self.questions), self.answer_template, self.system)
        return Sample(conversation, [record.image], meta)
