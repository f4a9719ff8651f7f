"""Commenting: the answer is one of the record's critiques (AVA-Captions, PCCD, DPC formats)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from ...contract.prompts import COMMENT_QUESTIONS as QUESTIONS
from ...contract.prompts import single_turn
from ..schema import Record
from .base import Sample, TaskBuilder, register_task


@register_task("commenting")
class CommentingTask(TaskBuilder):
    """Answer with one comment of the record, drawn by the rng."""

    def __init__(self, questions: Sequence[str] = QUESTIONS, system: str | None = None):
        self.questions, self.system = tuple(questions), system

    def accepts(self, record: Record) -> bool:
        return bool(record.images) and any(c.strip() for c in record.comments)

    def build(self, record: Record, rng: random.Random) -> Sample:
        comments = [c.strip() for c in record.comments if c.strip()]
        answer = rng.choice(comments)
        conversation = single_turn(rng.choice(self.questions), answer, system=self.system)
        return Sample(conversation, [record.image], {"task": self.name})
