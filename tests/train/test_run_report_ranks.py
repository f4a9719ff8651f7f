"""run.json sums the samples every rank skipped (a real 2-process gloo group), at each save."""

from __future__ import annotations

import json
from pathlib import Path

from aesthetic_mllm.train.callbacks import RunReportCallback

from .ranks import run_ranks


def _report(rank: int, out: str) -> dict | None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    counts = {"DataError": rank + 1} if rank == 0 else {"DataError": 2, "SampleTooLongError": 1}
    callback = RunReportCallback({"data": {"sources": {}}}, lambda: {"worker": None, "counts": counts})
    args = TrainingArguments(output_dir=out, report_to="none", use_cpu=True)
    state = TrainerState(global_step=1, max_steps=2, is_world_process_zero=rank == 0)
    callback.on_save(args, state, TrainerControl())
    return json.loads((Path(out) / "run.json").read_text())["data"]["skipped_during_training"] if rank == 0 else None


def test_skips_of_every_rank_are_summed_into_run_json(tmp_path):
    results = run_ranks(_report, tmp_path, str(tmp_path / "run"))
    assert [r[0] for r in results] == ["ok", "ok"], results
    skipped = results[0][1]
    assert skipped["total"] == 4 and skipped["by_error"] == {"DataError": 3, "SampleTooLongError": 1}
    assert [row["counts"] for row in skipped["per_rank"]] == [{"DataError": 1},
                                                              {"DataError": 2, "SampleTooLongError": 1}]
