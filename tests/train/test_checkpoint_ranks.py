"""Rank-safe checkpoints on a real 2-process gloo group: rank 0 decides, the marker waits for every rank,
set-aside checkpoints never take a ``save_total_limit`` slot of the Trainer's rotation."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from transformers.trainer_utils import rotate_checkpoints

from aesthetic_mllm.train.callbacks import CompleteCheckpointCallback
from aesthetic_mllm.train.checkpoints import is_complete, mark_complete, resolve_resume

from .ranks import run_ranks


def _checkpoint(out: Path, step: int, complete: bool, mtime: float | None = None) -> Path:
    ckpt = out / f"checkpoint-{step}"
    ckpt.mkdir(parents=True)
    (ckpt / "trainer_state.json").write_text("{}")
    if complete:
        mark_complete(ckpt)
    if mtime is not None:
        os.utime(ckpt, (mtime, mtime))
    return ckpt


def _decide(rank: int, out: str, recipe: dict | None) -> dict:
    """Rank 1 asks first (rank 0 is late); it must wait for rank 0 and touch nothing itself."""
    touched: list[str] = []
    if rank == 0:
        time.sleep(1.5)
    else:
        for module, name in ((os, "rename"), (os, "replace"), (shutil, "rmtree"), (shutil, "move")):
            real = getattr(module, name)

            def spy(*args, _real=real, _name=name, **kwargs):
                touched.append(_name)
                return _real(*args, **kwargs)

            setattr(module, name, spy)
    started = time.time()
    chosen = resolve_resume("auto", out, recipe) if recipe is not None else resolve_resume("auto", out)
    return {"chosen": chosen, "touched": touched, "started": started, "returned": time.time()}


def test_rank0_alone_sets_aside_and_every_rank_uses_its_decision(tmp_path):
    out = tmp_path / "run"
    _checkpoint(out, 4, complete=True)
    _checkpoint(out, 8, complete=False)
    results = run_ranks(_decide, tmp_path, str(out), None)
    assert [r[0] for r in results] == ["ok", "ok"], results
    rank0, rank1 = results[0][1], results[1][1]
    assert rank1["touched"] == [], f"rank 1 changed the run directory itself: {rank1['touched']}"
    assert rank1["returned"] >= rank0["started"], "rank 1 decided before rank 0 did"
    assert rank0["chosen"] == rank1["chosen"] == str(out / "checkpoint-4")
    assert (out / "incomplete" / "checkpoint-8" / "trainer_state.json").is_file()


def test_a_refusal_on_rank0_stops_every_rank_with_its_message(tmp_path):
    out = tmp_path / "run"
    ckpt = _checkpoint(out, 4, complete=True)
    (ckpt / "recipe.json").write_text('{"stage": "stage2", "train": {"lr": 0.001, "max_steps": 10}}')
    recipe = {"stage": "stage2", "train": {"lr": 0.01, "max_steps": 20}}
    results = run_ranks(_decide, tmp_path, str(out), recipe)
    assert [r[0] for r in results] == ["error", "error"], results
    for _status, message, *_ in results:
        assert "train.lr" in message and "max_steps" not in message and "force" in message, message


def _save(rank: int, out: str) -> dict:
    """Rank 1 is slow to write its RNG file; rank 0 reaches the save callback first."""
    from transformers import TrainerControl, TrainerState, TrainingArguments

    ckpt = Path(out) / "checkpoint-2"
    if rank == 1:
        time.sleep(1.5)
    ckpt.mkdir(parents=True, exist_ok=True)
    (ckpt / f"rng_state_{rank}.pth").write_bytes(b"rng")
    args = TrainingArguments(output_dir=out, report_to="none", use_cpu=True)
    state = TrainerState(global_step=2, is_world_process_zero=rank == 0, is_local_process_zero=rank == 0)
    CompleteCheckpointCallback().on_save(args, state, TrainerControl())
    return {"marked": is_complete(ckpt), "rank1_rng": (ckpt / "rng_state_1.pth").is_file()}


def test_marker_is_written_only_after_every_rank_finished_its_files(tmp_path):
    out = tmp_path / "run"
    results = run_ranks(_save, tmp_path, str(out))
    assert [r[0] for r in results] == ["ok", "ok"], results
    rank0 = results[0][1]
    assert rank0["marked"], "rank 0 did not mark the checkpoint complete"
    assert rank0["rank1_rng"], "the marker was written before rank 1 wrote rng_state_1.pth"


def test_set_aside_checkpoint_takes_no_rotation_slot(tmp_path):
    """transformers' own rotation (``rotate_checkpoints`` globs ``checkpoint-*``) keeps 2 real checkpoints."""
    now = time.time()
    out = tmp_path / "run"
    _checkpoint(out, 4, complete=True, mtime=now - 30)
    _checkpoint(out, 8, complete=False, mtime=now - 20)
    assert resolve_resume("auto", out) == str(out / "checkpoint-4")
    _checkpoint(out, 8, complete=True, mtime=now - 10)  # the resumed run saves step 8 again
    rotate_checkpoints(str(out), save_total_limit=2, use_mtime=True)
    assert is_complete(out / "checkpoint-4"), "the previous complete checkpoint was rotated away"
    assert is_complete(out / "checkpoint-8")
    assert (out / "incomplete" / "checkpoint-8").is_dir()  # kept for inspection


def test_legacy_incomplete_suffix_is_moved_out_of_the_rotation(tmp_path):
    out = tmp_path / "run"
    _checkpoint(out, 4, complete=True)
    legacy = _checkpoint(out, 6, complete=False)
    legacy.rename(out / "checkpoint-6.incomplete")
    assert resolve_resume("auto", out) == str(out / "checkpoint-4")
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-4"]
    assert (out / "incomplete" / "checkpoint-6").is_dir()
