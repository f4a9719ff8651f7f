"""The dataset-source registry: one name per published format (also the ``--source`` values)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...registry import Registry
from ..errors import OnError, Problems
from ..schema import Record


@dataclass
class SourceResult:
    """What a source read: the good records, every problem met (under ``skip``), and how it read them.

    ``info`` says what the loader decided, e.g. ``score_range`` and ``score_range_from`` (``header``,
    ``option``, ``file`` or ``default``, with the reason) or ``file``; ``warnings`` are facts about the
    data worth a look that drop no row (e.g. TAD66K theme files that disagree with the merged split).
    """

    records: list[Record]
    problems: Problems = field(default_factory=Problems)
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


Loader = Callable[..., SourceResult]
SOURCES: Registry[Loader] = Registry("source")


def register_source(name: str) -> Callable[[Loader], Loader]:
    """Decorator: register ``fn(root, split=None, problems=Problems, limit=None, **options)``."""
    return SOURCES.register(name)


def load_source(name: str, root: str | Path | None = None, split: str | None = None,
                on_error: OnError = "skip", limit: int | None = None, **options: Any) -> SourceResult:
    """Read source ``name`` from ``root`` (its published layout) under the error policy."""
    loader = SOURCES.lookup(name)
    problems = Problems(on_error=on_error)
    return loader(root, split=split, problems=problems, limit=limit, **options)
