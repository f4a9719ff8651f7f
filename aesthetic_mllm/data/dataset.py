"""``TaskDataset``: records x a weighted task mixture -> encoded multimodal training samples."""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import torch
from PIL import Image
from torch.utils.data import Dataset

from ..contract.chat import (
    RatingWordNotFoundError,
    SampleTooLongError,
    rating_word_ids,
    render,
    render_and_mask,
)
from ..contract.levels import RATING_WORDS
from .errors import DataError
from .images import open_image as _open_image
from .schema import Record
from .tasks import Sample, TaskBuilder, make_task

if TYPE_CHECKING:
    from ..model.processor import AestheticProcessor

logger = logging.getLogger(__name__)
SKIPPABLE = (DataError, SampleTooLongError, OSError)


class TaskDataset(Dataset):
    """A map-style dataset mixing tasks by weight over a set of records.

    The plan is fixed by ``seed``: each task (among those that accept at least one record) gets
    its share of the samples by the mixture weights, exactly, in a seeded order; each of its
    samples takes the task's next record in a seeded permutation of the records it accepts, so
    every accepted record is used before one repeats. ``num_samples`` defaults to the smallest
    epoch in which every task uses each record it accepts at least once (a scored record drawn
    for commenting still gets its score in the same epoch). Builder choices for sample ``i`` use
    an rng seeded by ``(seed, i)``.

    Images are decoded in ``__getitem__``. A sample whose image is missing or corrupt, or that
    cannot fit ``max_length``, is skipped: the next good sample is returned and the skip is
    counted and logged. The item carries the error types it skipped over (``skipped``), so the
    counts reach the training process from DataLoader workers too (the trainer sums the batches');
    ``skipped`` / ``skip_counts`` count what this process itself read.

    ``extras(sample, images)`` may add per-item fields (e.g. stage-1 targets); keys starting
    with ``image_`` hold one row per image and are concatenated by the collator like pixels.
    Every item carries its ``sample_id`` so a failing batch can be named.
    """

    def __init__(self, records: Sequence[Record], task_mixture: Mapping[str, float], processor: AestheticProcessor,
                 max_length: int, seed: int = 0, num_samples: int | None = None,
                 task_options: Mapping[str, Mapping[str, Any]] | None = None,
                 open_image: Callable[[str], Image.Image] | None = None,
                 extras: Callable[[Sample, list[Image.Image]], dict[str, Any]] | None = None):
        if not task_mixture or any(w < 0 for w in task_mixture.values()) or sum(task_mixture.values()) <= 0:
            raise ValueError(f"task_mixture needs non-negative weights with a positive sum, got {dict(task_mixture)}")
        self.records = list(records)
        self.processor, self.max_length, self.seed = processor, max_length, seed
        self.open_image = open_image or _open_image
        self.extras = extras
        options = task_options or {}
        self.tasks: dict[str, TaskBuilder] = {name: make_task(name, **options.get(name, {})) for name in task_mixture}
        for task in self.tasks.values():
            task.bind(self.records)
        eligible = {n: [i for i, r in enumerate(self.records) if t.accepts(r)] for n, t in self.tasks.items()}
        self.weights = {n: float(w) for n, w in task_mixture.items() if w > 0 and eligible[n]}
        if not self.weights:
            raise ValueError(f"no record is usable by any task of {sorted(task_mixture)}")
        total = sum(self.weights.values())
        epoch = max(math.ceil(len(eligible[n]) * total / w - 1e-9) for n, w in self.weights.items())
        self._plan = self._make_plan(eligible, num_samples if num_samples is not None else epoch)
        self._lengths: list[int] | None = None
        self._skips: Counter[str] = Counter()
        self._word_ids: dict[tuple, list[int]] = {}

    def word_ids(self, words: Sequence[str] = RATING_WORDS, answer_template: str | None = None) -> list[int]:
        """The rating words' token ids in context (as every scorer reads them), computed once."""
        key = (tuple(words), answer_template)
        if key not in self._word_ids:
            self._word_ids[key] = rating_word_ids(self.processor, list(words), answer_template)
        return self._word_ids[key]

    @property
    def rating_word_ids(self) -> list[int] | None:
        """The ids the soft targets of this dataset's scoring task are trained on (None without scoring)."""
        task = self.tasks.get("scoring")
        return None if task is None else self.word_ids(task.words, task.answer_template)

    def _make_plan(self, eligible: dict[str, list[int]], size: int) -> list[tuple[str, int]]:
        rng = random.Random(self.seed)
        names = sorted(self.weights)
        total = sum(self.weights.values())
        exact = {n: size * self.weights[n] / total for n in names}
        counts = {n: math.floor(exact[n]) for n in names}
        for n in sorted(names, key=lambda n: counts[n] - exact[n])[: size - sum(counts.values())]:
            counts[n] += 1  # largest remainders
        drawn = [n for n in names for _ in range(counts[n])]
        rng.shuffle(drawn)
        orders = {n: rng.sample(eligible[n], len(eligible[n])) for n in names}
        used: Counter[str] = Counter()
        plan = []
        for name in drawn:
            plan.append((name, orders[name][used[name] % len(orders[name])]))
            used[name] += 1
        return plan

    def __len__(self) -> int:
        return len(self._plan)

    def task_of(self, index: int) -> str:
        """The task of sample ``index``."""
        return self._plan[index][0]

    def sample(self, index: int, draft: bool = False) -> Sample:
        """The (undecoded) ``Sample`` of ``index``; ``draft`` builds it without touching pixels."""
        name, record_index = self._plan[index]
        task, record = self.tasks[name], self.records[record_index]
        rng = random.Random(f"{self.seed}:{index}")
        return task.draft(record, rng) if draft else task.build(record, rng)

    def _encode(self, index: int) -> dict[str, Any]:
        sample = self.sample(index)
        soft = sample.meta.get("soft_target")
        word = sample.meta.get("word") if soft is not None else None
        encoded = render_and_mask(sample.conversation, self.processor, self.max_length, locate=word)
        if encoded.num_images != len(sample.images):
            raise ValueError(f"task {self.task_of(index)!r}: {encoded.num_images} <image> placeholder(s) "
                             f"but {len(sample.images)} image(s)")
        item: dict[str, Any] = {"input_ids": torch.tensor(encoded.input_ids, dtype=torch.long),
                                "labels": torch.tensor(encoded.labels, dtype=torch.long), "sample_id": index}
        pil = [im if isinstance(im, Image.Image) else self.open_image(im) for im in sample.images]
        if pil:
            item["pixel_values"] = self.processor.preprocess_images(pil)
        if self.extras is not None:
            item.update(self.extras(sample, pil))
        if word is not None:
            item["soft_target"] = list(soft)
            item["soft_position"] = self._soft_position(sample, encoded, word)
        return item

    def _soft_position(self, sample: Sample, encoded, word: str) -> int:
        """Where the soft target is trained: the rating word's token, which must be its in-context id."""
        words = sample.meta["words"]
        expected = self.word_ids(words, sample.meta.get("answer_template"))[words.index(word)]
        got = encoded.input_ids[encoded.located]
        if got != expected:
            raise RatingWordNotFoundError(f"sample {sample.meta.get('task')}: {word!r} is token {got} in this answer but "
                                          f"{expected} in the scoring answer; the soft target would miss the word")
        return encoded.located

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"sample index {index} out of range for {len(self)} samples")
        index %= len(self)
        skipped: list[str] = []
        for attempt in range(len(self)):
            current = (index + attempt) % len(self)
            try:
                item = self._encode(current)
                item["skipped"] = skipped  # travels with the batch out of DataLoader workers
                return item
            except SKIPPABLE as err:
                self._skips[type(err).__name__] += 1
                skipped.append(type(err).__name__)
                logger.warning("skipping sample %d (%s): %s", current, self.task_of(current), err)
        raise RuntimeError(f"every sample of this dataset failed to load ({dict(self._skips)})")

    @property
    def skipped(self) -> int:
        """How many samples this process skipped (see the class docstring for workers)."""
        return sum(self._skips.values())

    def skip_counts(self) -> dict[str, Any]:
        """Skips in this process by error type, with the DataLoader worker id (None in the main process)."""
        info = torch.utils.data.get_worker_info()
        return {"worker": info.id if info is not None else None, "counts": dict(self._skips)}

    def lengths(self) -> list[int]:
        """Token lengths (capped at ``max_length``) from drafts: no image is decoded, one template render
        per sample and one batched tokenization of the whole plan (no offsets, no answer search)."""
        if self._lengths is None:
            tokenizer = self.processor.tokenizer
            drafts = [self.sample(i, draft=True) for i in range(len(self))]
            texts = [render(d.conversation, tokenizer) for d in drafts]
            ids = tokenizer(texts, add_special_tokens=False)["input_ids"] if texts else []
            extra = len(self.processor.image_expansion) - 1
            image_id = self.processor.image_token_id
            self._lengths = [min(len(row) + extra * row.count(image_id), self.max_length) for row in ids]
        return list(self._lengths)
