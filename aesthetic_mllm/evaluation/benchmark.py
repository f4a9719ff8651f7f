"""Benchmark definitions: one YAML per benchmark in ``eval/`` (source, split, task, protocol, metrics).

A name resolves to ``eval/<name>.yaml`` of the source checkout (``AESTHETIC_MLLM_EVAL_DIR`` moves
it); a path to a YAML file is read as is. ``overrides`` (``key=value`` strings or a mapping) change
fields after loading, e.g. ``shots=[2]`` or ``draws=2`` for a quick PIAA run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..registry import did_you_mean
from ..resources import resource_dir

BENCHMARK_DIR = resource_dir("eval")  # the checkout's eval/, or the copy inside an installed wheel


@dataclass
class Benchmark:
    """One benchmark: where its data comes from, which protocol evaluates it, and how it is reported."""

    name: str
    source: str
    protocol: str
    task: str
    metrics: list[str]
    description: str = ""
    root: str | None = None  # folder under --data-root (default: the source name); none for the world
    split: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    score_range: tuple[float, float] | None = None
    threshold: float | None = None  # accuracy threshold (AVA: 5 on 1-10)
    reference: str | None = None  # key of the published rows (references.REFERENCES)
    synthetic: bool = False
    max_new_tokens: int = 64  # captions / suggestions
    shots: list[int] = field(default_factory=lambda: [10, 100])  # PIAA k values
    draws: int = 10  # PIAA random support draws per user
    queries: int | None = None  # PIAA: fixed query images per user (None: the rest of each draw)
    min_queries: int = 1  # PIAA: users need at least k + min_queries rated images
    seed: int = 0

    @property
    def needs_data(self) -> bool:
        """Whether the data is read from ``--data-root`` (everything but the demo world)."""
        return self.source != "world"

    def data_dir(self, data_root: str | Path | None) -> Path | None:
        """``data_root/<root or source>``, or None for the demo world; a clear error when missing."""
        if not self.needs_data:
            return None
        if data_root is None:
            raise ValueError(f"benchmark '{self.name}' reads {self.source} data: pass --data-root DIR holding "
                             f"a '{self.root or self.source}' folder in the published layout")
        path = Path(data_root) / (self.root or self.source)
        if not path.exists():
            raise FileNotFoundError(f"{path}: dataset folder for benchmark '{self.name}' not found")
        return path


FIELDS = {f.name for f in dataclasses.fields(Benchmark)}


def benchmark_dir() -> Path:
    return Path(os.environ.get("AESTHETIC_MLLM_EVAL_DIR") or BENCHMARK_DIR)


def list_benchmarks() -> list[str]:
    """Names of the benchmark YAMLs shipped in ``eval/``."""
    return sorted(p.stem for p in benchmark_dir().glob("*.yaml"))


def _parse_overrides(overrides: Mapping[str, Any] | Sequence[str] | None) -> dict[str, Any]:
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    out = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"an override is key=value, got {item!r}")
        out[key.strip()] = yaml.safe_load(value)
    return out


def _check_keys(keys, where: str) -> None:
    for key in keys:
        if key not in FIELDS:
            raise ValueError(f"{where}: unknown benchmark field {key!r}{did_you_mean(key, sorted(FIELDS))}")


def load_benchmark(name_or_path: str | Path, overrides: Mapping[str, Any] | Sequence[str] | None = None) -> Benchmark:
    """The benchmark named ``name_or_path`` (or read from that YAML file), with ``overrides`` applied."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = benchmark_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            known = list_benchmarks()
            hint = did_you_mean(str(name_or_path), known)
            raise ValueError(f"unknown benchmark {str(name_or_path)!r}{hint} (known: {', '.join(known)})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data.setdefault("name", path.stem)
    _check_keys(data, str(path))
    extra = _parse_overrides(overrides)
    _check_keys(extra, "override")
    data.update(extra)
    if data.get("score_range") is not None:
        data["score_range"] = tuple(float(v) for v in data["score_range"])
    data["shots"] = [int(k) for k in (data.get("shots") or [])] or [10, 100]
    missing = [k for k in ("source", "protocol", "task", "metrics") if not data.get(k)]
    if missing:
        raise ValueError(f"{path}: missing benchmark field(s) {', '.join(missing)}")
    return Benchmark(**data)
