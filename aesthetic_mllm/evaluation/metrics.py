"""Score metrics (scipy): SRCC, PLCC, binary accuracy at a threshold, MAE; one registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from ..registry import Registry

Metric = Callable[..., float]
METRICS: Registry[Metric] = Registry("metric")


def register_metric(name: str) -> Callable[[Metric], Metric]:
    """Decorator registering ``fn(pred, true, **options) -> float`` under ``name``."""
    return METRICS.register(name)


def _arrays(pred: Sequence[float], true: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if p.shape != t.shape or p.ndim != 1:
        raise ValueError(f"predictions {p.shape} and targets {t.shape} must be 1-D and the same length")
    return p, t


@register_metric("srcc")
def srcc(pred: Sequence[float], true: Sequence[float]) -> float:
    """Spearman rank correlation (nan when either side is constant)."""
    p, t = _arrays(pred, true)
    if len(p) < 2 or np.ptp(p) == 0 or np.ptp(t) == 0:
        return float("nan")
    return float(stats.spearmanr(p, t).statistic)


@register_metric("plcc")
def plcc(pred: Sequence[float], true: Sequence[float]) -> float:
    """Pearson linear correlation (nan when either side is constant)."""
    p, t = _arrays(pred, true)
    if len(p) < 2 or np.ptp(p) == 0 or np.ptp(t) == 0:
        return float("nan")
    return float(stats.pearsonr(p, t).statistic)


@register_metric("accuracy")
def accuracy(pred: Sequence[float], true: Sequence[float], threshold: float = 5.0) -> float:
    """Binary accuracy of ``score > threshold`` (AVA uses 5 on its 1-10 scale)."""
    p, t = _arrays(pred, true)
    return float(np.mean((p > threshold) == (t > threshold)))


@register_metric("mae")
def mae(pred: Sequence[float], true: Sequence[float]) -> float:
    p, t = _arrays(pred, true)
    return float(np.mean(np.abs(p - t)))


def bootstrap_ci(metric: Metric, pred: Sequence[float], true: Sequence[float], level: float = 0.95,
                 resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of ``metric`` over (pred, true) pairs (scipy)."""
    p, t = _arrays(pred, true)
    result = stats.bootstrap((p, t), metric, paired=True, vectorized=False, n_resamples=resamples,
                             confidence_level=level, method="percentile", rng=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)
