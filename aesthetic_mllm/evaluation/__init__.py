"""Evaluation: metrics, benchmark definitions, protocols (GIAA, captions, suggestions, PIAA), reports, plots.

``run_benchmarks``, ``compare_results``, ``load_benchmark`` and ``Benchmark`` are imported on first
use (the metrics too), so that the command line builds its parser without numpy or scipy.
"""

from importlib import import_module
from typing import Any

_LAZY = {**dict.fromkeys(["METRICS", "accuracy", "mae", "plcc", "register_metric", "srcc"], ".metrics"),
         "run_benchmarks": ".runner", "compare_results": ".report", "load_benchmark": ".benchmark",
         "list_benchmarks": ".benchmark", "Benchmark": ".benchmark", "caption_metrics": ".caption_metrics"}

__all__ = [*_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
