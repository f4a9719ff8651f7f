"""Trainer callbacks: checkpoint completion markers and the run report (loss curve + run.json)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from ..files import atomic_write_json
from .checkpoints import finish_checkpoint
from .ranks import gather_objects


class CompleteCheckpointCallback(TrainerCallback):
    """Marks ``checkpoint-N`` complete (with the run's recipe beside it) once every rank finished writing it.

    ``on_save`` runs on every rank after its own part of the save (weights, optimizer shards,
    its RNG state); ``finish_checkpoint`` waits for all of them before rank 0 writes the marker.
    """

    def __init__(self, recipe: dict[str, Any] | None = None):
        self.recipe = recipe

    def on_save(self, args, state, control, **kwargs):
        finish_checkpoint(Path(args.output_dir) / f"checkpoint-{state.global_step}", self.recipe)
        return control


def plot_losses(log_history: list[dict[str, Any]], path: str | Path) -> Path | None:
    """A PNG of every ``*loss`` series in the Trainer's log history."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, tuple[list[int], list[float]]] = {}
    for row in log_history:
        for key, value in row.items():
            if key.endswith("loss") and isinstance(value, (int, float)) and "step" in row:
                xs, ys = series.setdefault(key, ([], []))
                xs.append(row["step"])
                ys.append(value)
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, (xs, ys) in sorted(series.items()):
        ax.plot(xs, ys, label=key)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def summarize_skips(per_rank: list[dict[str, Any]]) -> dict[str, Any]:
    """Every rank's skip counts (``AestheticTrainer.skip_counts()``) summed by error type, with the per-rank rows."""
    by_error: Counter[str] = Counter()
    for row in per_rank:
        by_error.update(row.get("counts", {}))
    return {"total": sum(by_error.values()), "by_error": dict(by_error), "per_rank": per_rank}


class RunReportCallback(TrainerCallback):
    """Keeps ``run.json`` (config, versions, git commit, data counts and skipped samples, losses) and
    ``loss_curve.png`` fresh: at every save and at the end.

    ``skip_counts`` (``AestheticTrainer.skip_counts``) is called on every rank and gathered to rank 0.
    """

    def __init__(self, report: dict[str, Any], skip_counts: Callable[[], dict[str, Any]] | None = None):
        self.report = report
        self.skip_counts = skip_counts

    def _write(self, args, state) -> None:
        if self.skip_counts is not None:  # a collective: every rank takes part
            per_rank = gather_objects(self.skip_counts())
            self.report.setdefault("data", {})["skipped_during_training"] = summarize_skips(per_rank)
        if not state.is_world_process_zero:
            return
        out = Path(args.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.report["progress"] = {"global_step": state.global_step, "max_steps": state.max_steps,
                                   "log_history": state.log_history}
        atomic_write_json(out / "run.json", self.report)
        plot_losses(state.log_history, out / "loss_curve.png")

    def on_save(self, args, state, control, **kwargs):
        self._write(args, state)

    def on_train_end(self, args, state, control, **kwargs):
        self._write(args, state)
