"""Samples skipped inside DataLoader worker processes still reach run.json (counted from the batches)."""

from __future__ import annotations

import io
import json

import numpy as np
from PIL import Image

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.train import train

from .conftest import FAST, STAGE1


def test_skips_in_dataloader_workers_reach_run_json(tmp_path):
    root = tmp_path / "images"
    root.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5):
        Image.fromarray(rng.integers(0, 255, size=(48, 48, 3), dtype=np.uint8)).save(root / f"p{i}.png")
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, size=(48, 48, 3), dtype=np.uint8)).save(buffer, format="PNG")
    for i in range(3):
        (root / f"truncated{i}.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    out = tmp_path / "run"
    recipe = load_recipe(STAGE1, FAST + [f"data.sources=[{{name: folder, root: {root}}}]", f"output_dir={out}",
                                         "max_steps=2", "train.dataloader_num_workers=2", "train.save_steps=0",
                                         "train.group_by_length=false"])
    train(recipe)
    skipped = json.loads((out / "run.json").read_text())["data"]["skipped_during_training"]
    assert skipped["total"] >= 1 and skipped["by_error"].get("DataError", 0) == skipped["total"], skipped
