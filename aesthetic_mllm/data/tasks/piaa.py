"""In-context PIAA: k (image, score) shots of one user, then the query image, in one prompt.

The layout is the prompt contract's (:func:`~aesthetic_mllm.contract.prompts.piaa_conversation`):
shot scores on the user's native range, the answer in the scoring format, so in-context personal
scores are read exactly like ordinary scores. Training draws its shot counts from ``shots``, the
counts that are evaluated (10 by default, as in FLICKR-AES / PARA 10-shot).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from ...contract.prompts import piaa_conversation, piaa_word
from ..schema import Record
from .base import Sample, TaskBuilder, register_task


@register_task("piaa")
class PIAATask(TaskBuilder):
    """Personalized scoring in context; ``bind`` groups the corpus by ``user_id`` to draw shots from."""

    def __init__(self, shots: int | Sequence[int] = (10,), min_shots: int = 1, system: str | None = None):
        counts = (shots,) if isinstance(shots, int) else tuple(shots)
        if not counts or not 1 <= min_shots <= min(counts):
            raise ValueError(f"need shot counts >= min_shots >= 1, got shots={list(counts)}, min_shots={min_shots}")
        self.shots, self.min_shots, self.system = counts, min_shots, system
        self._by_user: dict[str, list[Record]] = {}

    def bind(self, records: Sequence[Record]) -> None:
        by_user: dict[str, list[Record]] = defaultdict(list)
        for record in records:
            if self._rated(record):
                by_user[record.user_id].append(record)
        self._by_user = dict(by_user)

    @staticmethod
    def _rated(record: Record) -> bool:
        return bool(record.images) and None not in (record.user_id, record.score, record.score_range)

    def accepts(self, record: Record) -> bool:
        return self._rated(record) and len(self._by_user.get(record.user_id, ())) > self.min_shots

    def build_from_shots(self, shots: Sequence[Record], query: Record) -> Sample:
        """The sample for explicit shots (all of one user) and a query record."""
        if any(s.user_id != query.user_id for s in shots):
            raise ValueError("PIAA shots must all come from the query's user")
        word = None if query.score is None else piaa_word(query.score, query.score_range)
        conversation = piaa_conversation([s.score for s in shots], query.score_range, word, system=self.system)
        meta = {"task": self.name, "user_id": query.user_id, "score": query.score,
                "score_range": tuple(query.score_range), "shot_ids": [s.id for s in shots]}
        return Sample(conversation, [s.image for s in shots] + [query.image], meta)

    def build(self, record: Record, rng: random.Random) -> Sample:
        if not self.accepts(record):
            raise ValueError(f"record {record.id!r}: no rated user with more than {self.min_shots} images "
                             "(did you call bind(records)?)")
        others = [r for r in self._by_user[record.user_id] if r.id != record.id]
        count = min(rng.choice(self.shots), len(others))  # a user with fewer images gives what they have
        return self.build_from_shots(rng.sample(others, count), record)
