"""The protocol interface and its one registry (``giaa``, ``captions``, ``suggestions``, ``piaa``).

A protocol turns a :class:`Benchmark` into an ordered list of samples (identical on every process),
predicts one shard of them with the model (rows of JSON-able dicts, one per evaluated item),
summarises all gathered rows into metrics and draws its plots. A protocol instance serves one
benchmark run and may keep what it must hide from prediction (e.g. PIAA query labels).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ...data.schema import Record
from ...data.sources import load_source
from ...registry import Registry
from ..benchmark import Benchmark

logger = logging.getLogger(__name__)

Row = dict[str, Any]
Metrics = dict[str, float | None]


class Protocol(ABC):
    """One evaluation protocol; subclasses set ``name`` and implement the four steps."""

    name: ClassVar[str] = ""

    def __init__(self, bench: Benchmark):
        self.bench = bench

    @abstractmethod
    def samples(self, data_root: str | Path | None, limit: int | None) -> list[Any]:
        """The ordered samples to evaluate (at most ``limit`` items; see each protocol)."""

    @abstractmethod
    def predict(self, scorer, samples: list[Any]) -> list[Row]:
        """Rows for this process's share of the samples."""

    @abstractmethod
    def summarize(self, rows: list[Row]) -> tuple[Metrics, list[str]]:
        """Metrics (None where unavailable) and notes from every gathered row."""

    def plot(self, rows: list[Row], out_dir: Path) -> list[Path]:
        """PNG plots of the rows (none by default)."""
        return []


PROTOCOLS: Registry[type[Protocol]] = Registry("protocol")


def register_protocol(name: str) -> Callable[[type[Protocol]], type[Protocol]]:
    """Class decorator: register a protocol under ``name``."""

    def wrap(cls: type[Protocol]) -> type[Protocol]:
        cls.name = name
        return PROTOCOLS.register(name)(cls)

    return wrap


def make_protocol(bench: Benchmark) -> Protocol:
    """The protocol instance for ``bench``."""
    return PROTOCOLS.lookup(bench.protocol, where=f"benchmark '{bench.name}'")(bench)


def load_records(bench: Benchmark, data_root: str | Path | None, limit: int | None = None,
                 keep: Callable[[Record], bool] | None = None) -> list[Record]:
    """The benchmark's records (bad rows skipped and counted in the log), filtered by ``keep``, at most ``limit``."""
    result = load_source(bench.source, bench.data_dir(data_root), split=bench.split, on_error="skip",
                         limit=limit if keep is None else None, **bench.options)
    if result.problems.items:
        logger.warning("%s: %d problem row(s) skipped while reading %s (first: %s)", bench.name,
                       len(result.problems.items), bench.source, result.problems.items[0])
    records = [r for r in result.records if keep is None or keep(r)]
    records = records[:limit] if limit is not None else records
    if not records:
        raise ValueError(f"benchmark '{bench.name}': no usable {bench.source} records "
                         f"(split={bench.split}, options={bench.options})")
    return records
