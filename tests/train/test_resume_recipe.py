"""``resume_from_checkpoint: auto`` resumes only the same recipe; cadence keys may change; ``force`` overrides."""

from __future__ import annotations

import json

import pytest
from transformers import TrainerCallback

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.train import train
from aesthetic_mllm.train.checkpoints import COMPLETE_MARKER, RESUMABLE_KEYS, recipe_changes

from .conftest import FAST_STAGE2, STAGE2


class FirstStep(TrainerCallback):
    """Records the first optimizer step this process ran (3 after resuming from checkpoint-2)."""

    def __init__(self):
        self.first: int | None = None

    def on_step_end(self, args, state, control, **kwargs):
        if self.first is None:
            self.first = state.global_step


def _run(out, *extra: str) -> int | None:
    first = FirstStep()
    base = FAST_STAGE2 + [f"output_dir={out}", "train.save_steps=2", "tasks.commenting=0", "tasks.suggesting=0"]
    train(load_recipe(STAGE2, base + list(extra)), callbacks=[first])
    return first.first


def test_a_changed_recipe_refuses_auto_resume_naming_the_keys(tmp_path):
    assert _run(tmp_path, "max_steps=2") == 1
    assert (tmp_path / "checkpoint-2" / COMPLETE_MARKER).is_file()
    with pytest.raises(ValueError, match=r"recipe changed.*train\.lr \(0\.0005 -> 0\.001\).*force"):
        _run(tmp_path, "max_steps=3", "lr=1e-3")
    # cadence and length may change on resume without a flag
    assert _run(tmp_path, "max_steps=3", "train.logging_steps=2", "train.save_total_limit=3",
                "train.progress=true") == 3
    # an explicit flag resumes a changed recipe (from the newest checkpoint, step 3)
    assert _run(tmp_path, "max_steps=4", "lr=1e-3", "train.resume_from_checkpoint=force") == 4
    saved = json.loads((tmp_path / "checkpoint-4" / "recipe.json").read_text())
    assert saved["train"]["lr"] == 1e-3 and saved["train"]["max_steps"] == 4


def test_which_keys_may_change_on_resume():
    saved = {"stage": "stage2", "description": "a", "model": {"path": "m", "adaptation": {"lora_r": 8}},
             "data": {"sources": [{"name": "world"}]},
             "train": {"lr": 1e-4, "max_steps": 10, "logging_steps": 1, "save_steps": 5, "save_total_limit": 2,
                       "progress": True, "report_to": "none", "output_dir": "a", "resume_from_checkpoint": "auto",
                       "dataloader_num_workers": 0, "seed": 0}}
    cadence = json.loads(json.dumps(saved))
    cadence["description"] = "b"
    cadence["train"].update(max_steps=20, logging_steps=5, save_steps=10, save_total_limit=4, progress=False,
                            report_to="tensorboard", output_dir="b", resume_from_checkpoint="force",
                            dataloader_num_workers=4)
    assert recipe_changes(saved, cadence) == {}
    changed = json.loads(json.dumps(saved))
    changed["train"].update(lr=1e-3, seed=1)
    changed["model"]["adaptation"]["lora_r"] = 16
    changed["data"]["sources"] = [{"name": "ava"}]
    changed["tasks"] = {"piaa": 1.0}
    assert sorted(recipe_changes(saved, changed)) == ["data.sources", "model.adaptation.lora_r", "tasks.piaa",
                                                      "train.lr", "train.seed"]
    assert "train.max_steps" in RESUMABLE_KEYS and "train.lr" not in RESUMABLE_KEYS
