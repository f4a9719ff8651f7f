"""Scored variants of the demo world: edit plans, known quality, vote histograms, comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from ..cues import describe_attributes, describe_edit
from ..perturb import EDITS, EditResult, apply_edit, combined_quality

Step = tuple[str, int, str]  # (edit name, severity, direction)
# Edits that leave a reference-free trace at the model's resolution (blur removes detail, noise adds
# grain, JPEG adds 8x8 blocks, exposure and contrast shift or clip the histogram): these set the
# known quality of a scored variant. Colour and geometric edits are judged against the original, so
# they appear only where it is shown (pairs) and in unlabeled stage-1 views.
SCORED_EDITS = ("exposure", "contrast", "blur", "noise", "jpeg")
PAIR_EDITS = tuple(n for n in EDITS if n not in SCORED_EDITS)


@dataclass
class Variant:
    """One edited (or untouched) version of a source photo, with its known edits."""

    id: str
    photo: str
    image: Image.Image
    edits: list[EditResult]

    @property
    def quality(self) -> float:
        """Known quality in [0, 1]: 1 - the combined quality drop of the edits."""
        return combined_quality([e.quality_drop for e in self.edits])

    def category_quality(self, categories: tuple[str, ...]) -> float:
        """Quality counting only edits of the given categories (technical, colour, composition)."""
        return combined_quality([e.quality_drop for e in self.edits if EDITS[e.name].category in categories])

    def edit_meta(self) -> list[dict[str, Any]]:
        return [{"name": e.name, "severity": e.severity, "direction": e.direction, "amount": e.amount,
                 "quality_drop": e.quality_drop, "description": e.description, "advice": e.advice}
                for e in self.edits]


def sample_plan(rng: np.random.Generator, eligible: list[str], max_edits: int = 2) -> list[Step]:
    """1..max_edits distinct edits at random severities and directions."""
    n = int(rng.integers(1, max_edits + 1))
    names = [eligible[i] for i in rng.choice(len(eligible), size=n, replace=False)]
    steps: list[Step] = []
    for name in names:
        directions = EDITS[name].directions
        steps.append((name, int(rng.integers(1, 4)), directions[int(rng.integers(len(directions)))]))
    return steps


def make_variants(photo: str, image: Image.Image, count: int, rng: np.random.Generator,
                  eligible: list[str], max_edits: int = 2) -> list[Variant]:
    """The untouched photo plus ``count - 1`` distinct edited versions."""
    variants = [Variant(f"{photo}_00", photo, image, [])]
    seen: set[tuple[Step, ...]] = set()
    while len(variants) < count:
        plan = tuple(sample_plan(rng, eligible, max_edits))
        if tuple(sorted(plan)) in seen:
            continue
        seen.add(tuple(sorted(plan)))
        current, results = image, []
        for name, severity, direction in plan:
            result = apply_edit(current, name, severity, seed=int(rng.integers(2**31)), direction=direction)
            results.append(result)
            current = result.image
        variants.append(Variant(f"{photo}_{len(variants):02d}", photo, current, results))
    return variants


def vote_histogram(mean: float, rng: np.random.Generator, votes: int = 50, spread: float = 1.3,
                   score_range: tuple[float, float] = (1.0, 10.0), bins: int = 10) -> list[float]:
    """Vote counts over ``bins`` equally spaced ratings, sampled around ``mean`` (AVA-like)."""
    lo, hi = score_range
    step = (hi - lo) / (bins - 1)
    draws = np.clip(np.rint((rng.normal(mean, spread, size=votes) - lo) / step), 0, bins - 1).astype(int)
    return np.bincount(draws, minlength=bins).astype(float).tolist()


def histogram_mean(histogram: list[float], score_range: tuple[float, float]) -> float:
    """The mean rating of a vote histogram in its native range."""
    lo, hi = score_range
    counts = np.asarray(histogram, dtype=float)
    ratings = np.linspace(lo, hi, len(counts))
    return float((counts * ratings).sum() / max(counts.sum(), 1.0))


def critique(attrs: dict[str, float], edits: list[EditResult], rng: np.random.Generator) -> list[str]:
    """Comments: one per known edit, then low- and middle-level notes from the pseudo-labels."""
    comments = [describe_edit(e, rng) for e in edits]
    comments.append(describe_attributes(attrs, "low", rng, max_items=3))
    comments.append(describe_attributes(attrs, "middle", rng, max_items=2))
    return comments
