"""Stage 1 with a DataLoader worker trains on the same samples as without (the quickstart uses one)."""

from __future__ import annotations

import json

import pytest

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.train import train

from .conftest import FAST_STAGE1, STAGE1


def _losses(out, workers: int) -> list[dict]:
    recipe = load_recipe(STAGE1, FAST_STAGE1 + [f"output_dir={out}", "max_steps=3",
                                                 "train.save_steps=0", f"train.dataloader_num_workers={workers}"])
    train(recipe)
    history = json.loads((out / "run.json").read_text())["progress"]["log_history"]
    return [{k: v for k, v in row.items() if k.endswith("loss")} for row in history if "loss" in row]


@pytest.mark.slow
def test_one_worker_logs_the_same_stage1_losses(tmp_path):
    assert load_recipe(STAGE1).train.dataloader_num_workers == 1
    without, with_one = _losses(tmp_path / "w0", 0), _losses(tmp_path / "w1", 1)
    assert len(without) == 3 and without == with_one
