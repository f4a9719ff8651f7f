"""``aesthetic-mllm plan`` on every real-scale recipe, from config-only dirs at the real shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aesthetic_mllm.cli import main
from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.plan.memory import _zero2, _zero3
from aesthetic_mllm.plan.planner import parse_memory, plan_recipe
from aesthetic_mllm.plan.report import format_plan
from aesthetic_mllm.plan.shapes import NF4_BYTES, composite_config

from .shapes import PUBLISHED, write_configs

ROOT = Path(__file__).resolve().parents[2]
REAL_SCALE = sorted([*(ROOT / "recipes/stage1").glob("*.yaml"), *(ROOT / "recipes/stage2").glob("*.yaml")])
PAIRS = {"clip-l336+llama2-7b": ("clip-vit-large-patch14-336", "llama-2-7b"),
         "siglip-so400m+qwen2-7b": ("siglip-so400m-patch14-384", "qwen2-7b")}
GIB = 2**30


@pytest.fixture(scope="module")
def configs(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_shapes")
    dirs = write_configs(root)
    for pair, (vision, llm) in PAIRS.items():  # what a stage-1 output's config.json holds
        composite_config(str(dirs[vision]), str(dirs[llm])).save_pretrained(root / pair)
        dirs[pair] = root / pair
    return dirs


def _overrides(recipe: Path, pair: str, dirs) -> list[str]:
    vision, llm = PAIRS[pair]
    if load_recipe(recipe).model.path:
        return [f"model={dirs[pair]}"]
    return [f"model.vision={dirs[vision]}", f"model.llm={dirs[llm]}"]


def test_there_are_real_scale_recipes():
    assert {p.name for p in REAL_SCALE} >= {"clip_l336_llama7b.yaml", "clip_l336_llama7b_lora.yaml",
                                            "qlora_single_24gb.yaml"}


@pytest.mark.parametrize("pair", list(PAIRS))
@pytest.mark.parametrize("recipe_path", REAL_SCALE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_scale_recipe_is_planned(recipe_path, pair, configs):
    recipe = load_recipe(recipe_path, _overrides(recipe_path, pair, configs))
    gpus, memory = (1, 24 * GIB) if "single" in recipe_path.name else (8, 80 * GIB)
    plan = plan_recipe(recipe, gpu_memory=memory, gpus=gpus, records=50)
    s, a = plan.shapes, recipe.model.adaptation
    vision, llm = PAIRS[pair]
    assert s.parts["vision"].total == pytest.approx(PUBLISHED[vision], rel=0.01)
    assert s.parts["llm"].total == pytest.approx(PUBLISHED[llm], rel=0.01)
    assert s.parts["mfa"].total > 0 and s.parts["frames"].total == 4 * s.config.text_config.hidden_size
    assert s.parts["vision"].trainable == 0  # every real-scale recipe keeps the encoder frozen
    if a.method in ("lora", "qlora"):
        tc = s.config.text_config
        q, kv = tc.num_attention_heads * (tc.hidden_size // tc.num_attention_heads), tc.num_key_value_heads * (
            tc.hidden_size // tc.num_attention_heads)
        h, i = tc.hidden_size, tc.intermediate_size
        per_layer = a.lora_r * ((h + q) + (h + kv) * 2 + (q + h) + 2 * (h + i) + (i + h))
        assert s.parts["lora"].trainable == tc.num_hidden_layers * per_layer
        assert s.parts["llm"].trainable == 0
    else:  # stage 1: the MFA and the frame rows train, the LLM is frozen
        assert s.parts["lora"].total == 0 and s.parts["llm"].trainable == 0
        assert s.trainable == s.parts["mfa"].total + s.parts["frames"].total
    assert s.config.image_seq_length == sum(s.config.num_queries) + s.config.num_thematic_tokens + 4
    assert isinstance(plan.lengths, str) and "skipped" in plan.lengths  # the user's data is not here
    assert set(plan.fits) >= {"ddp"}
    text = format_plan(plan)
    for needle in ("vision tower", "LoRA" if a.method != "full" else "MFA", "DDP", "visual tokens per image",
                   "DeepSpeed's own estimators"):
        assert needle in text
    if a.method != "qlora":
        assert {"zero2", "zero3", "zero3_offload"} <= set(plan.fits)
        # ZeRO figures: DeepSpeed's estimator for the trainable parameters + the frozen 16-bit copies
        t, f, n = s.trainable, s.frozen_held, gpus
        assert plan.states["zero2"].total == pytest.approx(_zero2(t, n)[1] + 2 * f, rel=1e-6)
        assert plan.states["zero3"].total == pytest.approx(_zero3(t, s.largest_layer, n, False)[1] + 2 * f / n,
                                                           rel=1e-6)
        assert plan.states["zero3"].total < plan.states["zero2"].total < plan.states["ddp"].total


def test_stage2_lora_on_8x80gb_fits_with_gradient_checkpointing_only(configs):
    recipe = load_recipe(ROOT / "recipes/stage2/clip_l336_llama7b_lora.yaml",
                         [f"model={configs['clip-l336+llama2-7b']}"])
    plan = plan_recipe(recipe, gpu_memory=80 * GIB, gpus=8, records=0)
    ddp = plan.states["ddp"]
    s = plan.shapes
    # bf16 frozen weights + fp32 trainable (LoRA, MFA, frame rows) + peft's frozen fp32 copies of the latter two
    copies = s.parts["mfa"].trainable + s.parts["frames"].trainable
    assert ddp.weights == pytest.approx(2 * (s.held - s.trainable - copies) + 4 * copies + 4 * s.trainable)
    assert ddp.gradients == 8 * s.trainable and ddp.optimizer == 8 * s.trainable
    assert plan.fits["ddp"].verdict == "fits with gradient checkpointing"
    assert plan.activations.llm_checkpointed < plan.activations.llm / 10


def test_qlora_stores_the_llm_in_4_bits(configs):
    recipe = load_recipe(ROOT / "recipes/stage2/qlora_single_24gb.yaml", [f"model={configs['clip-l336+llama2-7b']}"])
    plan = plan_recipe(recipe, gpu_memory=24 * GIB, gpus=1, records=0)
    llm, tc = plan.shapes.parts["llm"], plan.shapes.config.text_config
    h, i = tc.hidden_size, tc.intermediate_size
    linear = tc.num_hidden_layers * (4 * h * h + 3 * h * i)  # Llama-2-7B: no biases, no GQA
    # 4-bit nf4 (+ one fp32 absmax per 64) for the decoder's Linear layers; prepare_model_for_kbit_training
    # holds the rest (embeddings, LM head, norms) in fp32
    assert llm.bytes == pytest.approx(NF4_BYTES * linear + 4 * (llm.total - linear))
    assert plan.states["zero2"].total == 0 and "not planned" in plan.states["zero2"].note


def test_plan_command_prints_the_plan_with_data_lengths(capsys):
    """On the quickstart recipe the data is present: sequence-length percentiles are computed."""
    assert main(["plan", str(ROOT / "recipes/quickstart/stage2.yaml"), "--gpus", "1", "--gpu-memory", "24GB",
                 "--records", "40"]) == 0
    out = capsys.readouterr().out
    assert "sequence lengths (first" in out and "p50" in out and "p95" in out
    assert "DDP" in out and "fits" in out


def test_config_only_dirs_and_missing_paths_are_clear(configs, tmp_path):
    recipe = load_recipe(ROOT / "recipes/stage2/clip_l336_llama7b_lora.yaml", [f"model={tmp_path / 'nowhere'}"])
    with pytest.raises(FileNotFoundError, match="config.json alone is enough"):
        plan_recipe(recipe, records=0)
    llm_json = configs["llama-2-7b"] / "config.json"  # the path of a config.json works too
    recipe = load_recipe(ROOT / "recipes/stage1/clip_l336_llama7b.yaml",
                         [f"model.vision={configs['clip-vit-large-patch14-336']}", f"model.llm={llm_json}"])
    assert plan_recipe(recipe, records=0).shapes.parts["llm"].total == pytest.approx(PUBLISHED["llama-2-7b"], rel=0.01)


@pytest.mark.parametrize("text,gib", [("80GB", 80), ("80GiB", 80), ("24G", 24), ("81920MB", 80), ("40", 40)])
def test_gpu_memory_parsing(text, gib):
    assert parse_memory(text) == gib * GIB
