"""The task-builder interface, the ``Sample`` it produces and the one task registry."""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PIL import Image

from ...contract.prompts import Conversation, single_turn
from ...registry import Registry
from ..schema import Record

ImageRef = str | Image.Image


@dataclass
class Sample:
    """One training conversation; ``images`` (paths or PIL images) follow the prompt's ``<image>`` order."""

    conversation: Conversation
    images: list[ImageRef]
    meta: dict[str, Any] = field(default_factory=dict)


class TaskBuilder(ABC):
    """Turns a ``Record`` (+ an rng) into a ``Sample``. Subclasses set ``name`` and implement ``build``."""

    name: ClassVar[str] = ""

    def accepts(self, record: Record) -> bool:
        """Whether this task can be built from ``record``."""
        return bool(record.images)

    def bind(self, records: Sequence[Record]) -> None:
        """See the whole corpus before building (tasks that need other records, e.g. PIAA shots)."""
        return None

    @abstractmethod
    def build(self, record: Record, rng: random.Random) -> Sample:
        """The sample for ``record``; every random choice goes through ``rng``."""

    def draft(self, record: Record, rng: random.Random) -> Sample:
        """A sample of about the final length, built without decoding pixels (for length grouping)."""
        return self.build(record, rng)


TASKS: Registry[type[TaskBuilder]] = Registry("task")


def register_task(name: str) -> Callable[[type[TaskBuilder]], type[TaskBuilder]]:
    """Class decorator: register a ``TaskBuilder`` subclass under ``name`` (its options are init kwargs)."""

    def wrap(cls: type[TaskBuilder]) -> type[TaskBuilder]:
        cls.name = name
        return TASKS.register(name)(cls)

    return wrap


def make_task(name: str, **options: Any) -> TaskBuilder:
    """Instantiate the registered task ``name`` with its options."""
    return TASKS.lookup(name)(**options)


__all__ = ["ImageRef", "Sample", "TaskBuilder", "TASKS", "register_task", "make_task", "single_turn"]
