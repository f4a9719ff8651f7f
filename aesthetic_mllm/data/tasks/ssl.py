"""Stage-1 self-supervised tasks: attribute cues per level and questions on controlled edits.

Kinds: ``attributes`` (describe one level's pseudo-labels as text; the high level uses the
record's tags), ``compare`` (original vs edited: which is better?), ``what_changed`` (answer:
the edit's description) and ``how_to_fix`` (the edited photo alone; answer: the advice). Samples of
the two pair kinds say which image is the untouched original (``meta["original"]``).
Pixel functions are injectable; they default to ``images``, ``pseudo_labels``, ``perturb`` and
``cues`` and are imported only when first needed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ..schema import Record
from .base import ImageRef, Sample, TaskBuilder, register_task, single_turn

KINDS: dict[str, float] = {"attributes": 2.0, "compare": 1.0, "what_changed": 1.0, "how_to_fix": 1.0}
LEVEL_QUESTIONS: dict[str, str] = {
    "low": "Describe the low-level qualities of this photo: exposure, colour, sharpness and noise.",
    "middle": "Describe the composition of this photo.",
    "high": "What is the theme of this photo?",
}
QUESTIONS: dict[str, tuple[str, ...]] = {
    "compare": ("Which of these two photos is better, the first or the second?",
                "Compare the two photos. Which one has the better aesthetic quality, the first or the second?"),
    "what_changed": ("The second photo is an edited version of the first. What was changed?",
                     "What edit turns the first photo into the second?"),
    "how_to_fix": ("How could this photo be fixed?", "What should be corrected in this photo?"),
}
ORDINALS = ("first", "second")
PAIR_KINDS = ("compare", "what_changed")  # kinds showing the original and the edited photo


@dataclass
class _Plan:
    """Every random choice of a sample that does not need pixels."""

    kind: str
    question: str
    level: str | None = None
    edit: str | None = None
    severity: Any = None
    seed: int = 0
    better: int = 0


class _Lazy:
    """A function of a sibling data module, imported on first call (picklable for DataLoader workers)."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _module_attr(self.module, self.name)(*args, **kwargs)


def _module_attr(module: str, name: str) -> Any:
    import importlib

    return getattr(importlib.import_module(f"aesthetic_mllm.data.{module}"), name)


@register_task("ssl")
class SSLTask(TaskBuilder):
    """Text-guided self-supervised samples from unlabeled images (see the module docstring).

    ``edits``, ``severities`` and ``level_attributes`` default to ``perturb.EDITS``,
    ``perturb.SEVERITIES`` and ``pseudo_labels.LEVEL_ATTRIBUTES``. The cue functions receive an
    integer seed drawn from the sample's rng, so a sample's text is reproducible.
    """

    def __init__(self, kinds: Mapping[str, float] = KINDS, levels: Sequence[str] = ("low", "middle", "high"),
                 edits: Sequence[str] | None = None, severities: Sequence[int] | None = None,
                 level_attributes: Mapping[str, Sequence[str]] | None = None,
                 open_image: Callable[[str], Image.Image] | None = None,
                 compute_attributes: Callable[[Image.Image], dict[str, float]] | None = None,
                 apply_edit: Callable[..., Any] | None = None,
                 describe_attributes: Callable[..., str] | None = None,
                 describe_edit: Callable[..., str] | None = None,
                 describe_fix: Callable[..., str] | None = None):
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown ssl kinds {sorted(unknown)}; choose from {sorted(KINDS)}")
        if any(w < 0 for w in kinds.values()) or sum(kinds.values()) <= 0:
            raise ValueError(f"ssl kinds need non-negative weights with a positive sum, got {dict(kinds)}")
        self.kinds, self.levels = dict(kinds), tuple(levels)
        self._edits = tuple(edits) if edits is not None else None
        self._severities = tuple(severities) if severities is not None else None
        self._level_attributes = level_attributes
        self.open_image = open_image or _Lazy("images", "open_image")
        self.compute_attributes = compute_attributes or _Lazy("pseudo_labels", "compute_attributes")
        self.apply_edit = apply_edit or _Lazy("perturb", "apply_edit")
        self.describe_attributes = describe_attributes or _Lazy("cues", "describe_attributes")
        self.describe_edit = describe_edit or _Lazy("cues", "describe_edit")
        self.describe_fix = describe_fix or _Lazy("cues", "describe_fix")

    @property
    def edits(self) -> tuple[str, ...]:
        if self._edits is None:
            self._edits = tuple(_module_attr("perturb", "EDITS"))
        return self._edits

    @property
    def severities(self) -> tuple[int, ...]:
        if self._severities is None:
            self._severities = tuple(_module_attr("perturb", "SEVERITIES"))
        return self._severities

    @property
    def level_attributes(self) -> Mapping[str, Sequence[str]]:
        if self._level_attributes is None:
            self._level_attributes = _module_attr("pseudo_labels", "LEVEL_ATTRIBUTES")
        return self._level_attributes

    def _levels_for(self, record: Record) -> list[str]:
        return [lv for lv in self.levels if lv != "high" or record.tags]

    def accepts(self, record: Record) -> bool:
        return bool(record.images) and (any(k != "attributes" for k in self.kinds) or bool(self._levels_for(record)))

    def _plan(self, record: Record, rng: random.Random) -> _Plan:
        kinds = [k for k in self.kinds if k != "attributes" or self._levels_for(record)]
        kind = rng.choices(kinds, weights=[self.kinds[k] for k in kinds])[0]
        if kind == "attributes":
            level = rng.choice(self._levels_for(record))
            return _Plan(kind, LEVEL_QUESTIONS[level], level=level)
        return _Plan(kind, rng.choice(QUESTIONS[kind]), edit=rng.choice(self.edits),
                     severity=rng.choice(self.severities), seed=rng.randrange(2**31), better=rng.randrange(2))

    def _conversation(self, plan: _Plan, answer: str) -> list[dict[str, str]]:
        return single_turn(plan.question, answer, num_images=2 if plan.kind in PAIR_KINDS else 1)

    def _meta(self, plan: _Plan, **extra: Any) -> dict[str, Any]:
        meta = {"task": self.name, "kind": plan.kind, "level": plan.level, "edit": plan.edit,
                "severity": plan.severity, **extra}
        return {k: v for k, v in meta.items() if v is not None}

    def draft(self, record: Record, rng: random.Random) -> Sample:
        plan = self._plan(record, rng)
        images = [record.image] * (2 if plan.kind in PAIR_KINDS else 1)
        return Sample(self._conversation(plan, ""), images, self._meta(plan))

    def build(self, record: Record, rng: random.Random) -> Sample:
        plan = self._plan(record, rng)
        if plan.kind == "attributes":
            return self._attribute_sample(record, plan, rng)
        original = self.open_image(record.image)
        result = self.apply_edit(original, plan.edit, plan.severity, plan.seed)
        images: list[ImageRef]
        if plan.kind == "compare":
            images = [original, result.image] if plan.better == 0 else [result.image, original]
            answer = f"The {ORDINALS[plan.better]} photo is better."
            return Sample(self._conversation(plan, answer), images,
                          self._meta(plan, better=plan.better, original=plan.better))
        if plan.kind == "what_changed":
            return Sample(self._conversation(plan, self.describe_edit(result, plan.seed)), [original, result.image],
                          self._meta(plan, original=0))
        return Sample(self._conversation(plan, self.describe_fix(result, plan.seed)), [result.image], self._meta(plan))

    def _attribute_sample(self, record: Record, plan: _Plan, rng: random.Random) -> Sample:
        if plan.level == "high":
            answer = "This photo shows " + ", ".join(record.tags) + "."
            return Sample(self._conversation(plan, answer), [record.image], self._meta(plan))
        names = self.level_attributes[plan.level]
        image: ImageRef = record.image
        attrs = record.attributes
        if not all(n in attrs for n in names):
            image = self.open_image(record.image)
            attrs = self.compute_attributes(image)
        answer = self.describe_attributes(attrs, plan.level, rng.randrange(2**31))
        meta = self._meta(plan, attributes={n: float(attrs[n]) for n in names}, image_attributes=[dict(attrs)])
        return Sample(self._conversation(plan, answer), [image], meta)
