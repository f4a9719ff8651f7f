"""Composing from local weight directories and initialising from a llava-hf checkpoint."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import (
    CLIPVisionConfig,
    CLIPVisionModel,
    LlamaConfig,
    LlamaForCausalLM,
    LlavaConfig,
    LlavaForConditionalGeneration,
)

from aesthetic_mllm.model.loading import (
    _square_image_processor,
    from_llava,
    from_parts,
    load_model,
    save_model,
)
from aesthetic_mllm.model.tokenizer import build_tiny_tokenizer

VISION = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2, image_size=32,
              patch_size=8)
TEXT = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1)


def _save_parts(tmp_path):
    tokenizer = build_tiny_tokenizer()
    vision = CLIPVisionModel(CLIPVisionConfig(**VISION))
    llm = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), **TEXT))
    vision.save_pretrained(tmp_path / "vision")
    _square_image_processor(32, [0.5] * 3, [0.5] * 3).save_pretrained(tmp_path / "vision")
    llm.save_pretrained(tmp_path / "llm")
    tokenizer.save_pretrained(tmp_path / "llm")
    return vision, llm


def test_compose_from_local_parts_reuses_their_weights(tmp_path, photos):
    vision, llm = _save_parts(tmp_path)
    model, processor = from_parts(tmp_path / "vision", tmp_path / "llm", num_queries=[2, 2, 2])
    assert torch.equal(model.vision_tower.encoder.layers[0].mlp.fc1.weight,
                       vision.encoder.layers[0].mlp.fc1.weight)
    assert torch.equal(model.language_model.model.layers[1].mlp.up_proj.weight, llm.model.layers[1].mlp.up_proj.weight)
    batch = processor(["<image> a photo"], photos[:1])
    assert model(**batch).logits.shape[1] == batch["input_ids"].shape[1]
    save_model(model, processor, tmp_path / "out")
    again, _ = load_model(tmp_path / "out")
    with torch.no_grad():
        assert torch.equal(model.eval()(**batch).logits, again.eval()(**batch).logits)


def test_initialise_from_llava_checkpoint(tmp_path, photos):
    tokenizer = build_tiny_tokenizer()
    config = LlavaConfig(vision_config=CLIPVisionConfig(**VISION).to_dict() | {"model_type": "clip_vision_model"},
                         text_config=LlamaConfig(vocab_size=len(tokenizer), **TEXT).to_dict() | {"model_type": "llama"},
                         image_token_index=tokenizer.convert_tokens_to_ids("<image>"), vision_feature_layer=-1)
    llava = LlavaForConditionalGeneration(config)
    llava.save_pretrained(tmp_path / "llava")
    tokenizer.save_pretrained(tmp_path / "llava")
    _square_image_processor(32, [0.5] * 3, [0.5] * 3).save_pretrained(tmp_path / "llava")

    model, processor = from_llava(tmp_path / "llava", num_queries=[2, 2, 2])
    assert torch.equal(model.vision_tower.encoder.layers[2].self_attn.q_proj.weight,
                       llava.model.vision_tower.encoder.layers[2].self_attn.q_proj.weight)
    assert torch.equal(model.language_model.lm_head.weight, llava.lm_head.weight)
    ids = torch.tensor([[15, 19, 22, 40]])  # ordinary tokens (5..8 are the framing tokens, which have own rows)
    with torch.no_grad():  # the reused LLM gives LLaVA's text-only logits
        torch.testing.assert_close(model.eval()(input_ids=ids).logits, llava.eval()(input_ids=ids).logits)
    batch = processor(["<image> rate it"], photos[:1])
    assert torch.isfinite(model(**batch).logits).all()


def test_lora_adapter_on_a_base_composed_from_parts_loads(tmp_path, photos):
    """Stage-2 LoRA on a model composed in memory from model.vision + model.llm: the run saves the composed
    base beside the adapter and the adapter names it, so the output loads from any working directory."""
    import os

    from aesthetic_mllm.config import load_recipe
    from aesthetic_mllm.train import train

    _save_parts(tmp_path)
    root = Path(__file__).resolve().parents[2]
    recipe = load_recipe(root / "recipes/quickstart/stage2.yaml", [
        f"model.vision={tmp_path / 'vision'}", f"model.llm={tmp_path / 'llm'}", "model.adaptation.method=lora",
        "data.sources=[{name: world, split: train, limit: 8, options: {subset: scoring}}]", "max_steps=1",
        "train.per_device_batch_size=2", "train.progress=false", "tasks.commenting=0", "tasks.suggesting=0",
        "tasks.piaa=0", f"output_dir={tmp_path / 'run'}"])
    out = train(recipe)
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        model, _ = load_model(out)
    finally:
        os.chdir(here)
    assert (out / "adapter_config.json").is_file() and (tmp_path / "run" / "base_model" / "config.json").is_file()
    assert hasattr(model, "peft_config")
