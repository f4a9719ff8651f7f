"""Suggesting: the answer is improvement advice, from ``meta["advice"]`` or the known edits.

``record.meta["advice"]`` is a string or a list of suggestions for the photo (all are given,
in order); otherwise ``record.meta["edits"]`` lists the edits applied to it, each a mapping or
an object with an ``advice`` field (e.g. ``perturb.EditResult``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ...contract.prompts import SUGGEST_QUESTIONS as QUESTIONS
from ...contract.prompts import single_turn
from ..schema import Record
from .base import Sample, TaskBuilder, register_task


def advice_of(record: Record) -> list[str]:
    """The improvement suggestions known for ``record`` (empty when there are none)."""
    advice = record.meta.get("advice")
    if isinstance(advice, str):
        advice = [advice]
    if not advice:
        edits = record.meta.get("edits") or []
        advice = [e.get("advice") if isinstance(e, dict) else getattr(e, "advice", None) for e in edits]
    return [a.strip() for a in advice if isinstance(a, str) and a.strip()]


@register_task("suggesting")
class SuggestingTask(TaskBuilder):
    """Answer with every known suggestion for the photo, joined into one reply."""

    def __init__(self, questions: Sequence[str] = QUESTIONS, system: str | None = None):
        self.questions, self.system = tuple(questions), system

    def accepts(self, record: Record) -> bool:
        return bool(record.images) and bool(advice_of(record))

    def build(self, record: Record, rng: random.Random) -> Sample:
        answer = " ".join(a if a[-1] in ".!?" else a + "." for a in advice_of(record))
        conversation = single_turn(rng.choice(self.questions), answer, system=self.system)
        return Sample(conversation, [record.image], {"task": self.name})
