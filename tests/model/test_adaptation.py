"""Freeze policies, LoRA and 4-bit QLoRA (CPU bitsandbytes), gradient checkpointing, flash-attn."""

from __future__ import annotations

import pytest
import torch

from aesthetic_mllm.config import AdaptationConfig
from aesthetic_mllm.model.adaptation import (
    apply_adaptation,
    count_parameters,
    quantization_config,
    set_trainable,
)
from aesthetic_mllm.model.loading import from_preset, load_model

from .helpers import one_image_batch


def test_freeze_policy_per_part():
    model, _ = from_preset("tiny")
    set_trainable(model, vision=False, mfa=True, llm=False)
    assert not any(p.requires_grad for p in model.vision_tower.parameters())
    assert all(p.requires_grad for p in model.mfa.parameters())
    assert not any(p.requires_grad for p in model.language_model.parameters())


@pytest.mark.parametrize("method", ["lora", "qlora"])
def test_lora_and_qlora_train_a_step_and_reload_from_peft_files(method, tiny_dir, photos, tmp_path):
    if method == "qlora":
        pytest.importorskip("bitsandbytes")
    cfg = AdaptationConfig(method=method, lora_r=4, lora_alpha=8)
    model, processor = load_model(tiny_dir, quantization_config=quantization_config(cfg))
    if method == "qlora":
        assert type(model.language_model.model.layers[0].self_attn.q_proj).__name__ == "Linear4bit"
        assert type(model.mfa.projectors["low"][0]).__name__ == "Linear"  # MFA stays full precision
    model = apply_adaptation(model, cfg)
    trainable, total = count_parameters(model)
    assert 0 < trainable < total
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any("lora_A" in n for n in names) and any("modules_to_save" in n and ".mfa." in n for n in names)
    assert not any("vision_tower" in n and "lora" in n for n in names)

    batch = one_image_batch(processor, photos)
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    loss = model(**batch).loss
    loss.backward()
    optim.step()
    assert any(not torch.equal(before[n], p) for n, p in model.named_parameters() if p.requires_grad)

    model.save_pretrained(tmp_path)
    assert (tmp_path / "adapter_config.json").is_file() and (tmp_path / "adapter_model.safetensors").is_file()
    model.eval()
    reloaded, _ = load_model(tmp_path, quantization_config=quantization_config(cfg))
    with torch.no_grad():
        torch.testing.assert_close(model(**batch).logits, reloaded.eval()(**batch).logits, atol=1e-5, rtol=0)



@pytest.mark.parametrize("method", ["lora", "qlora"])
def test_a_frozen_vision_tower_runs_no_backward_under_lora(method, tiny_dir, photos):
    """Only the LLM's input embeddings are made to require grad (for checkpointing a frozen LLM): a frozen
    vision tower's activations must not, or every step backpropagates through the whole encoder for nothing."""
    if method == "qlora":
        pytest.importorskip("bitsandbytes")
    cfg = AdaptationConfig(method=method, lora_r=4, lora_alpha=8, train_vision=False, train_mfa=True)
    model, processor = load_model(tiny_dir, quantization_config=quantization_config(cfg))
    model = apply_adaptation(model, cfg, gradient_checkpointing=True)
    seen = {}
    base = model.get_base_model()
    base.vision_tower.register_forward_hook(lambda m, i, out: seen.update(vision=out.last_hidden_state.requires_grad))
    base.language_model.get_input_embeddings().register_forward_hook(
        lambda m, i, out: seen.update(text=out.requires_grad))
    model.train()
    model(**one_image_batch(processor, photos)).loss.backward()
    assert seen == {"vision": False, "text": True}

def test_gradient_checkpointing_gives_the_same_gradients(photos):
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    batch = one_image_batch(processor, photos)
    model(**batch).loss.backward()
    plain = model.mfa.projectors["low"][0].weight.grad.clone()
    model.zero_grad()
    apply_adaptation(model, AdaptationConfig(method="full", train_vision=True), gradient_checkpointing=True)
    assert model.language_model.model.gradient_checkpointing
    model(**batch).loss.backward()
    torch.testing.assert_close(model.mfa.projectors["low"][0].weight.grad, plain, atol=1e-6, rtol=1e-4)


@pytest.mark.gpu
def test_flash_attention_2_matches_sdpa(tiny_dir, photos):
    pytest.importorskip("flash_attn")
    sdpa, processor = load_model(tiny_dir, dtype="bfloat16")
    flash, _ = load_model(tiny_dir, dtype="bfloat16", attn_implementation="flash_attention_2")
    batch = {k: v.cuda() for k, v in processor(["<image> rate"], photos[:1]).items()}
    with torch.no_grad():
        a = sdpa.cuda().eval()(**batch).logits.float()
        b = flash.cuda().eval()(**batch).logits.float()
    torch.testing.assert_close(a, b, atol=5e-2, rtol=5e-2)
