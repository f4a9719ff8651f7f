"""``giaa``: score every image once (rating-word expectation in the native range) against its mean score.

Metrics: any of the score registry (``srcc``, ``plcc``, ``accuracy`` at the benchmark's
``threshold``, ``mae``). The output range is the benchmark's ``score_range`` (else the records');
records on another range are an error, never silently rescaled.
"""

from __future__ import annotations

from pathlib import Path

from ...data.schema import Record
from .. import plots
from ..metrics import METRICS
from .base import Metrics, Protocol, Row, load_records, register_protocol


@register_protocol("giaa")
class GIAAProtocol(Protocol):
    """Group (mean-opinion) scoring."""

    def samples(self, data_root: str | Path | None, limit: int | None) -> list[Record]:
        records = load_records(self.bench, data_root, limit,
                               keep=lambda r: r.score is not None and r.score_range is not None)
        wanted = tuple(self.bench.score_range or records[0].score_range)
        other = {tuple(r.score_range) for r in records} - {wanted}
        if other:
            raise ValueError(f"benchmark '{self.bench.name}' declares score_range {wanted} but records use {other}")
        self.score_range = wanted
        return records

    def predict(self, scorer, samples: list[Record]) -> list[Row]:
        if not samples:
            return []
        results = scorer.score([r.image for r in samples], score_range=self.score_range, progress=len(samples) > 256)
        return [{"id": r.id, "image": r.image, "true": r.score, "pred": res.score, "distribution": res.distribution}
                for r, res in zip(samples, results, strict=True)]

    def summarize(self, rows: list[Row]) -> tuple[Metrics, list[str]]:
        pred, true = [r["pred"] for r in rows], [r["true"] for r in rows]
        lo, hi = self.score_range
        threshold = self.bench.threshold if self.bench.threshold is not None else (lo + hi) / 2
        out: Metrics = {"n": len(rows)}
        for name in self.bench.metrics:
            if name not in METRICS:
                raise ValueError(f"benchmark '{self.bench.name}': unknown metric {name!r} (known: {sorted(METRICS)})")
            out[name] = METRICS.lookup(name)(pred, true, threshold=threshold) if name == "accuracy" else METRICS.lookup(name)(pred, true)
        return out, [f"accuracy threshold: score > {threshold:g}"] if "accuracy" in self.bench.metrics else []

    def plot(self, rows: list[Row], out_dir: Path) -> list[Path]:
        pred, true = [r["pred"] for r in rows], [r["true"] for r in rows]
        name = self.bench.name
        return [plots.scatter(pred, true, out_dir / f"{name}_scatter.png", f"{name}: predicted vs true",
                              self.score_range),
                plots.histograms({"true": true, "predicted": pred}, out_dir / f"{name}_hist.png",
                                 f"{name}: score distributions", self.score_range)]
