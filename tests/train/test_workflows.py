"""Stage 1 and stage 2 in process: outputs, run report, LoRA adapters, non-finite loss handling."""

from __future__ import annotations

import json

import pytest
import torch

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.model.loading import load_model
from aesthetic_mllm.scoring import AestheticScorer
from aesthetic_mllm.train import train
from aesthetic_mllm.train.trainer import NonFiniteLossError

from .conftest import FAST_STAGE1, FAST_STAGE2, STAGE1, STAGE2


@pytest.fixture(scope="module")
def stage1_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("stage1")
    return train(load_recipe(STAGE1, FAST_STAGE1 + [f"output_dir={out}", "max_steps=3", "train.save_steps=2"]))


def test_stage1_trains_every_loss_and_writes_its_report(stage1_dir):
    report = json.loads((stage1_dir / "run.json").read_text())
    logged = [row for row in report["progress"]["log_history"] if "loss" in row]
    assert {"lm_loss", "attribute_loss", "contrastive_loss"} <= set(logged[0])
    assert report["data"]["sources"]["world:train"]["records"] == 16
    assert report["git_commit"] is None or len(report["git_commit"]) >= 40
    assert report["versions"]["transformers"] and report["config"]["stage"] == "stage1"
    assert (stage1_dir / "loss_curve.png").stat().st_size > 1000
    assert (stage1_dir / "checkpoint-2" / "CHECKPOINT_COMPLETE").is_file()
    model, _ = load_model(stage1_dir)  # a plain model dir: the stage-1 heads are saved beside it
    assert not any("attribute_heads" in n for n, _ in model.named_parameters())
    assert (stage1_dir / "stage1_heads.safetensors").is_file() and (stage1_dir / "stage1_heads.json").is_file()


def test_stage1_losses_switch_off_for_ablations(tmp_path):
    out = train(load_recipe(STAGE1, FAST_STAGE1 + [f"output_dir={tmp_path}", "max_steps=1", "ssl.contrastive_loss=0",
                                                   "ssl.lm_loss=0"]))
    logged = json.loads((out / "run.json").read_text())["progress"]["log_history"][0]
    assert "attribute_loss" in logged and "lm_loss" not in logged and "contrastive_loss" not in logged


def test_stage2_lora_from_stage1_gives_a_loadable_adapter(stage1_dir, tmp_path, photos):
    out = train(load_recipe(STAGE2, FAST_STAGE2 + [f"model={stage1_dir}", f"output_dir={tmp_path}", "max_steps=2",
                                                   "model.adaptation.method=lora", "train.lr_mfa=1e-4"]))
    assert (out / "adapter_config.json").is_file()
    scorer = AestheticScorer.from_pretrained(out, score_range=(1, 10))
    result = scorer.score(photos[:2])
    assert all(1 <= r.score <= 10 for r in result)


def test_per_module_learning_rates(stage1_dir, tmp_path):
    from transformers import TrainerCallback

    seen = {}

    class GroupLRs(TrainerCallback):
        def on_train_begin(self, args, state, control, optimizer=None, **kwargs):
            seen["lrs"] = sorted({g["lr"] for g in optimizer.param_groups})

    train(load_recipe(STAGE2, FAST_STAGE2 + [f"model={stage1_dir}", f"output_dir={tmp_path}", "max_steps=1",
                                             "train.lr=1e-3", "train.lr_mfa=1e-4", "train.lr_vision=1e-5"]),
          callbacks=[GroupLRs()])
    assert seen["lrs"] == [1e-5, 1e-4, 1e-3]


def test_non_finite_loss_stops_naming_step_and_samples(tmp_path):
    recipe = load_recipe(STAGE2, FAST_STAGE2 + [f"output_dir={tmp_path}", "max_steps=6", "lr=1e38",
                                                "train.max_grad_norm=0", "train.scheduler=constant"])
    with pytest.raises(NonFiniteLossError, match=r"loss is (nan|inf) at step \d+; the batch held dataset samples \["):
        train(recipe)


def test_soft_labels_reach_the_loss(tmp_path):
    """With vote histograms the first loss differs from hard labels (the word position is soft)."""
    losses = {}
    for soft in (True, False):
        torch.manual_seed(0)
        out = train(load_recipe(STAGE2, FAST_STAGE2 + [f"output_dir={tmp_path / str(soft)}", "max_steps=1",
                                                       "tasks.commenting=0", "tasks.suggesting=0",
                                                       "tasks.correlation_loss=0",
                                                       f"tasks.soft_labels={str(soft).lower()}"]))
        losses[soft] = json.loads((out / "run.json").read_text())["progress"]["log_history"][0]["loss"]
    assert losses[True] != losses[False]


def test_quickstart_evaluation_reports_interval_and_within_photo_srcc(tiny_dir):
    from aesthetic_mllm.quickstart import evaluate_world_scoring, format_report

    result = evaluate_world_scoring(tiny_dir, split="val")
    low, high = result["srcc_ci95"]
    assert result["n"] == 40 and low <= result["srcc"] <= high
    assert -1 <= result["srcc_within_photo"] <= 1
    table = format_report({"results": {"with_stage1": result}, "seconds": {"stage1": 1.0}})
    assert "SYNTHETIC" in table and f"[{low:.2f}, {high:.2f}]" in table and "| with stage1 | 40 |" in table


@pytest.mark.parametrize(("part", "overrides", "low", "high"), [
    # 1 - PLCC of the batch's expected scores
    ("correlation_loss", ["tasks.commenting=0", "tasks.suggesting=0", "tasks.correlation_loss=0.5"], 0.0, 2.0),
    # the same on a MOS source (no vote histograms, like KonIQ or PARA): the MOS is its soft target
    ("correlation_loss", ["tasks.commenting=0", "tasks.suggesting=0", "tasks.correlation_loss=0.5",
                          "data.sources=[{name: world, split: train, limit: 32, "
                          "options: {subset: databases, database: world_technical}}]"], 0.0, 2.0),
    # each text answer preferred beside its own image (-log sigmoid of a log-likelihood margin)
    ("image_contrast_loss", ["tasks.scoring=0.2", "tasks.suggesting=1.0", "tasks.image_contrast_loss=0.5"], 1e-6, 10.0),
])
def test_stage2_loss_parts_are_trained_and_logged(tmp_path, part, overrides, low, high):
    out = train(load_recipe(STAGE2, FAST_STAGE2 + [f"output_dir={tmp_path}", "max_steps=2",
                                                   "train.logging_steps=1", *overrides]))
    history = json.loads((out / "run.json").read_text())["progress"]["log_history"]
    parts = [row[part] for row in history if part in row]
    assert parts and all(low <= p <= high for p in parts)


def test_score_correlation_loss_needs_soft_labels():
    from aesthetic_mllm.config import ConfigError

    with pytest.raises(ConfigError, match="tasks.correlation_loss.*soft_labels"):
        load_recipe(STAGE2, ["tasks.correlation_loss=1.0", "tasks.soft_labels=false"])


def test_image_contrast_loss_must_not_be_negative():
    from aesthetic_mllm.config import ConfigError

    with pytest.raises(ConfigError, match="tasks.image_contrast_loss: must be >= 0"):
        load_recipe(STAGE2, ["tasks.image_contrast_loss=-1"])
