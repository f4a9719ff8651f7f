"""One record schema for every dataset source."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Record:
    """One annotated (or unlabeled) sample.

    ``score`` is in the source's native range ``score_range`` (e.g. AVA 1-10, KonIQ 1-5 or
    0-100 by release file, SPAQ 0-100); ``histogram`` holds the rating distribution over equally
    spaced bins spanning that range when the source publishes one, and ``histogram_kind`` says
    whether it is vote ``counts`` or ``fractions`` summing to 1. ``aspects`` maps an aspect name
    (PCCD: ``composition``, ``color_lighting`` ...) to the critique written for it; ``comments``
    holds the same texts without their aspects (plus any aspect-free comments).
    ``user_id`` is set for per-user (PIAA) rows.
    """

    id: str
    source: str
    images: list[str]
    score: float | None = None
    score_range: tuple[float, float] | None = None
    histogram: list[float] | None = None
    histogram_kind: str | None = None  # "counts" | "fractions" (None: no histogram)
    comments: list[str] = field(default_factory=list)
    aspects: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, float] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    user_id: str | None = None
    messages: list[dict[str, str]] | None = None
    split: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def image(self) -> str:
        """The first (usually only) image path."""
        return self.images[0]

    def normalized_score(self) -> float | None:
        """Score mapped to 0-1 by the native range (None when unscored)."""
        if self.score is None or self.score_range is None:
            return None
        lo, hi = self.score_range
        return (self.score - lo) / (hi - lo)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        data = dict(data)
        if data.get("score_range") is not None:
            data["score_range"] = tuple(data["score_range"])
        return cls(**data)
