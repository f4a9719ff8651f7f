"""Stage-1 output is a plain model dir plus its heads; LoRA is merged, so stage 2 never nests PEFT models.
Skipped samples reach run.json at every save; adapters name their base by an absolute path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from peft import PeftModel
from PIL import Image
from safetensors.torch import load_file
from transformers import TrainerCallback

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.model.loading import load_model
from aesthetic_mllm.train import train

from .conftest import FAST, FAST_STAGE2, STAGE1, STAGE2

PEFT_PREFIX = "base_model.model."


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Seven small photos-like images and one truncated PNG (decodes fail during training)."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for i in range(7):
        base = np.linspace(0, 255, 64, dtype=np.float32)[None, :, None] * rng.uniform(0.2, 1.0, size=(1, 1, 3))
        pixels = np.clip(base + rng.normal(0, 20 * (i + 1), size=(64, 64, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / f"photo{i}.png")
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, size=(64, 64, 3), dtype=np.uint8)).save(buffer, format="PNG")
    (root / "truncated.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return root


def _first_lora_layer(peft_model):
    for name, module in peft_model.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            return name[len(PEFT_PREFIX):] if name.startswith(PEFT_PREFIX) else name, module
    raise AssertionError("no LoRA layer in the model")


class Stage1Observer(TrainerCallback):
    """What a user could see: run.json at each save; the trained LoRA delta and heads at the end."""

    def __init__(self):
        self.saves: list[dict | None] = []
        self.initial: torch.Tensor | None = None

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.layer, module = _first_lora_layer(model.model)
        self.initial = module.base_layer.weight.detach().clone()

    def on_save(self, args, state, control, **kwargs):
        report = json.loads((Path(args.output_dir) / "run.json").read_text())
        self.saves.append(report["data"].get("skipped_during_training"))

    def on_train_end(self, args, state, control, model=None, **kwargs):
        _, module = _first_lora_layer(model.model)
        delta = module.lora_B["default"].weight @ module.lora_A["default"].weight * module.scaling["default"]
        self.merged = (module.base_layer.weight + delta).detach().clone()
        self.heads = {k: v.detach().clone() for k, v in model.state_dict().items() if not k.startswith("model.")}


@pytest.fixture(scope="module")
def stage1_lora(image_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("stage1_lora")
    observer = Stage1Observer()
    recipe = load_recipe(STAGE1, FAST + [f"data.sources=[{{name: folder, root: {image_folder}}}]",
                                         f"output_dir={out}", "max_steps=2", "train.save_steps=1",
                                         "model.adaptation.method=lora"])
    return train(recipe, callbacks=[observer]), observer


def test_stage1_lora_saves_a_plain_merged_model_and_its_heads(stage1_lora):
    out, seen = stage1_lora
    assert (out / "config.json").is_file() and not (out / "adapter_config.json").exists()
    model, _ = load_model(out)
    assert not isinstance(model, PeftModel)
    saved = dict(model.named_parameters())[f"{seen.layer}.weight"]
    assert not torch.equal(seen.merged, seen.initial), "the LoRA delta was zero: nothing to merge"
    torch.testing.assert_close(saved, seen.merged, rtol=0, atol=1e-6)
    heads = load_file(out / "stage1_heads.safetensors")
    assert heads.keys() == seen.heads.keys() and any(k.startswith("attribute_heads.") for k in heads)
    for key, value in seen.heads.items():
        torch.testing.assert_close(heads[key], value, rtol=0, atol=0)
    meta = json.loads((out / "stage1_heads.json").read_text())
    assert set(meta["levels"]) == {"low", "middle"} and meta["attribute_names"]["low"]


def test_skipped_samples_reach_run_json_at_every_save_and_at_the_end(stage1_lora):
    out, seen = stage1_lora
    assert len(seen.saves) == 2 and all(s is not None for s in seen.saves), seen.saves
    final = json.loads((out / "run.json").read_text())["data"]["skipped_during_training"]
    assert final["total"] >= 1 and sum(final["by_error"].values()) == final["total"], final
    assert seen.saves[-1]["total"] <= final["total"]


class Stage2Observer(TrainerCallback):
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.outer_is_peft = isinstance(model, PeftModel)
        self.nested = isinstance(model.base_model.model, PeftModel) if self.outer_is_peft else None
        self.layer, module = _first_lora_layer(model)
        self.start = module.base_layer.weight.detach().clone()


def test_stage2_lora_from_stage1_lora_loads_once_with_stage1_weights(stage1_lora, tmp_path, monkeypatch, photos):
    stage1_dir, _ = stage1_lora
    monkeypatch.chdir(stage1_dir.parent)
    observer = Stage2Observer()
    out = train(load_recipe(STAGE2, FAST_STAGE2 + [f"model={stage1_dir.name}", f"output_dir={tmp_path / 'out'}",
                                                   "max_steps=1", "model.adaptation.method=lora"]),
                callbacks=[observer])
    assert observer.outer_is_peft and observer.nested is False
    stage1_weights = load_file(stage1_dir / "model.safetensors")
    torch.testing.assert_close(observer.start, stage1_weights[f"{observer.layer}.weight"], rtol=0, atol=0)
    base = json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"]
    assert base == str(stage1_dir.resolve())
    monkeypatch.chdir(tmp_path)  # the adapter loads from any working directory
    model, processor = load_model(out)
    assert isinstance(model, PeftModel) and not isinstance(model.base_model.model, PeftModel)
    batch = processor(["<image> rate it"], photos[:1])
    assert model(**batch).logits.isfinite().all()
    # an adapter dir as model.path is merged into its base first: LoRA again, still one level deep
    merged = dict(model.merge_and_unload().named_parameters())[f"{observer.layer}.weight"].detach()
    again = Stage2Observer()
    train(load_recipe(STAGE2, FAST_STAGE2 + [f"model={out}", f"output_dir={tmp_path / 'again'}", "max_steps=1",
                                             "model.adaptation.method=lora"]), callbacks=[again])
    assert again.outer_is_peft and again.nested is False
    torch.testing.assert_close(again.start, merged, rtol=0, atol=0)


def test_adapter_dir_names_its_base_by_absolute_path(tiny_dir, tmp_path, monkeypatch):
    """A base given as a relative path is stored resolved, so the adapter loads from another cwd."""
    from peft import LoraConfig, get_peft_model

    monkeypatch.chdir(tiny_dir.parent)
    model, processor = load_model(tiny_dir.name)
    lora = get_peft_model(model, LoraConfig(r=4, target_modules=r".*language_model\..*\.q_proj$"))
    lora.save_pretrained(tmp_path / "adapter")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded, _ = load_model(tmp_path / "adapter")
    assert isinstance(loaded, PeftModel)
    assert loaded.peft_config["default"].base_model_name_or_path == str(tiny_dir.resolve())
