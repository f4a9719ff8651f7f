"""Kill tests: SIGKILL mid-training and mid-save, then resume; the result equals an uninterrupted run."""

from __future__ import annotations

import signal

import pytest
from safetensors.torch import load_file

from aesthetic_mllm.train.checkpoints import COMPLETE_MARKER

from .conftest import FAST_STAGE2, STAGE2, driver, run

STEPS = ["max_steps=8", "train.save_steps=4", "train.save_total_limit=2"]


def _train(out, *extra):
    return run(driver(str(STAGE2), *FAST_STAGE2, *STEPS, f"output_dir={out}", *extra))


def _max_diff(a, b) -> float:
    wa, wb = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    assert wa.keys() == wb.keys()
    return max(float((wa[k] - wb[k]).abs().max()) for k in wa)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("straight")
    proc = _train(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_sigkill_mid_training_then_resume_matches(uninterrupted, tmp_path):
    killed = _train(tmp_path, "--kill-at-step", "6")
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / "checkpoint-4" / COMPLETE_MARKER).is_file() and not (tmp_path / "model.safetensors").exists()
    resumed = _train(tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from" in resumed.stderr and "checkpoint-4" in resumed.stderr
    assert _max_diff(uninterrupted, tmp_path) <= 1e-6


def test_sigkill_during_a_save_keeps_the_previous_checkpoint(uninterrupted, tmp_path):
    killed = _train(tmp_path, "--kill-in-save", "8")
    assert killed.returncode == -signal.SIGKILL
    partial = tmp_path / "checkpoint-8"
    assert partial.is_dir() and not (partial / COMPLETE_MARKER).exists()
    assert (tmp_path / "checkpoint-4" / COMPLETE_MARKER).is_file()
    resumed = _train(tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (tmp_path / "incomplete" / "checkpoint-8").is_dir()  # set aside (outside the rotation), kept
    assert _max_diff(uninterrupted, tmp_path) <= 1e-6
