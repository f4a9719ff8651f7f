"""Mixed precision: trainable weights are fp32 master weights, frozen parts bf16, autocast computes.

Covers issue 10 defect 4 (``model.to(bf16)`` made AdamW update bf16 weights).
"""

from __future__ import annotations

import pytest
import torch
from safetensors import safe_open

from aesthetic_mllm.config import AdaptationConfig, ModelConfig
from aesthetic_mllm.model.adaptation import apply_adaptation, quantization_config
from aesthetic_mllm.model.loading import build_model

from .helpers import one_image_batch

ADAPTATIONS = {
    "lora": AdaptationConfig(method="lora", lora_r=4, lora_alpha=8),
    "full_llm_frozen": AdaptationConfig(method="full", train_llm=False),  # stage 1
    "full": AdaptationConfig(method="full", train_llm=True),
}


@pytest.mark.parametrize("source", ["preset", "saved"])
@pytest.mark.parametrize("name", list(ADAPTATIONS))
def test_bf16_recipe_trains_fp32_master_weights_and_stores_frozen_parts_in_bf16(name, source, tiny_dir, photos):
    adaptation = ADAPTATIONS[name]
    cfg = ModelConfig(dtype="bfloat16", adaptation=adaptation, path=str(tiny_dir) if source == "saved" else None)
    model, processor = build_model(cfg)
    model = apply_adaptation(model, adaptation)
    trainable = {n: p.dtype for n, p in model.named_parameters() if p.requires_grad}
    # peft keeps the pre-adapter copy of a modules_to_save part as loaded (fp32, unused in training)
    frozen = {n: p.dtype for n, p in model.named_parameters() if not p.requires_grad and "original_module" not in n}
    assert trainable and frozen
    assert set(trainable.values()) == {torch.float32}, {n: d for n, d in trainable.items() if d != torch.float32}
    assert set(frozen.values()) == {torch.bfloat16}, {n: d for n, d in frozen.items() if d != torch.bfloat16}
    assert any("vision_tower" in n for n in frozen)
    assert any(".mfa." in f".{n}" for n in trainable) and any("frame_embeddings" in n for n in trainable)
    assert any("language_model" in n for n in trainable) == (name != "full_llm_frozen")

    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = model(**one_image_batch(processor, photos)).loss
    loss.backward()
    optim.step()
    assert torch.isfinite(loss)
    grads = [p.grad for p in model.parameters() if p.requires_grad and p.grad is not None]
    assert grads and all(g.dtype == torch.float32 for g in grads)
    changed = [n for n, p in model.named_parameters() if p.requires_grad and not torch.equal(before[n], p)]
    assert changed and all(model.get_parameter(n).dtype == torch.float32 for n in changed)


def test_trainable_parts_are_read_from_the_checkpoint_at_full_precision(tiny_dir):
    """Not rounded through bf16 on the way: the fp32 MFA weights are bit-identical to the saved ones."""
    model, _ = build_model(ModelConfig(path=str(tiny_dir), dtype="bfloat16",
                                       adaptation=AdaptationConfig(method="lora")))
    key = "mfa.projectors.low.0.weight"
    with safe_open(str(tiny_dir / "model.safetensors"), "pt") as f:
        saved = f.get_tensor(key)
    assert saved.dtype == torch.float32
    assert torch.equal(model.get_parameter(key), saved)
    assert model.vision_tower.dtype == torch.bfloat16 and model.language_model.dtype == torch.bfloat16


def test_qlora_computes_in_bf16_on_a_gpu_and_fp32_on_cpu(monkeypatch):
    cfg = AdaptationConfig(method="qlora")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert quantization_config(cfg).bnb_4bit_compute_dtype == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    # on CPU bitsandbytes' 4-bit matmul is slower in bf16 (measured: 1.5x per forward+backward)
    assert quantization_config(cfg).bnb_4bit_compute_dtype == torch.float32


def test_llava_parts_are_read_in_their_training_precision(tmp_path):
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    from aesthetic_mllm.model.loading import _square_image_processor, from_llava
    from aesthetic_mllm.model.tokenizer import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer()
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2, image_size=32,
                  patch_size=8)
    text = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1)
    llava = LlavaForConditionalGeneration(LlavaConfig(
        vision_config=CLIPVisionConfig(**vision).to_dict() | {"model_type": "clip_vision_model"},
        text_config=LlamaConfig(vocab_size=len(tokenizer), **text).to_dict() | {"model_type": "llama"},
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"), vision_feature_layer=-1))
    llava.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    _square_image_processor(32, [0.5] * 3, [0.5] * 3).save_pretrained(tmp_path)
    model, _ = from_llava(tmp_path, dtype=torch.bfloat16, fp32_parts=["language_model", "mfa", "frame_embeddings"],
                          num_queries=[2, 2, 2])
    assert model.vision_tower.dtype == torch.bfloat16
    assert model.language_model.dtype == torch.float32 and model.mfa.thematic_queries.weight.dtype == torch.float32
    assert torch.equal(model.language_model.model.layers[0].mlp.up_proj.weight,
                       llava.model.language_model.layers[0].mlp.up_proj.weight)  # bit-exact, not via bf16
    assert torch.equal(model.language_model.lm_head.weight, llava.lm_head.weight)
