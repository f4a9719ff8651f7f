"""The framing tokens ``<low> <middle> <high> <thematic>`` learn and are saved (issue 10 defect 7).

Their input rows live in ``frame_embeddings`` (trained with the MFA in every adaptation mode);
before, they were LLM embedding rows that nothing trained while the LLM was frozen, and LoRA
adapters did not save.
"""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import CLIPVisionConfig, CLIPVisionModel, LlamaConfig, LlamaForCausalLM

from aesthetic_mllm.config import AdaptationConfig
from aesthetic_mllm.model.adaptation import apply_adaptation
from aesthetic_mllm.model.loading import (
    _square_image_processor,
    from_parts,
    from_preset,
    load_model,
    save_model,
)
from aesthetic_mllm.model.special_tokens import LEVEL_TOKENS

from .helpers import one_image_batch, plain_tokenizer


def _frame_rows(model, processor) -> torch.Tensor:
    """The input embeddings the model uses for the four framing tokens (text-only call)."""
    ids = torch.tensor([processor.level_token_ids])
    with torch.no_grad():
        return model.embed_inputs(ids)[0].clone()


def _step(model, batch, lr=1e-2):
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)  # weight decay 0.01
    model(**batch).loss.backward()
    optim.step()


@pytest.mark.parametrize("method", ["full", "frozen"])
def test_frame_rows_learn_while_the_llm_is_frozen_and_no_llm_row_moves(method, photos, tmp_path):
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    model = apply_adaptation(model, AdaptationConfig(method=method, train_llm=False, train_mfa=True))
    table = model.get_input_embeddings().weight.detach().clone()
    frames = _frame_rows(model, processor)
    other_ids = torch.tensor([[20, 21, 22, 300]])
    with torch.no_grad():
        others = model.embed_inputs(other_ids).clone()
    _step(model, one_image_batch(processor, photos))
    after = _frame_rows(model, processor)
    assert all(not torch.allclose(after[i], frames[i]) for i in range(len(LEVEL_TOKENS))), "a frame row did not learn"
    assert torch.equal(model.get_input_embeddings().weight, table)  # the LLM's embedding matrix is untouched
    with torch.no_grad():
        assert torch.equal(model.embed_inputs(other_ids), others)
    save_model(model, processor, tmp_path)  # the trained rows are part of the saved model
    again, _ = load_model(tmp_path)
    torch.testing.assert_close(_frame_rows(again, processor), after, atol=0, rtol=0)


@pytest.mark.parametrize("method", ["lora", "qlora"])
def test_lora_adapter_saves_and_reloads_the_trained_frame_rows(method, tiny_dir, photos, tmp_path):
    from aesthetic_mllm.model.adaptation import quantization_config

    if method == "qlora":
        pytest.importorskip("bitsandbytes")
    cfg = AdaptationConfig(method=method, lora_r=4, lora_alpha=8)
    model, processor = load_model(tiny_dir, quantization_config=quantization_config(cfg))
    model = apply_adaptation(model, cfg)
    frames = _frame_rows(model, processor)
    batch = one_image_batch(processor, photos)
    _step(model, batch)
    trained = _frame_rows(model, processor)
    assert not torch.allclose(trained, frames)
    model.save_pretrained(tmp_path)
    reloaded, _ = load_model(tmp_path, quantization_config=quantization_config(cfg))
    torch.testing.assert_close(_frame_rows(reloaded, processor), trained, atol=0, rtol=0)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(**batch).logits, reloaded.eval()(**batch).logits, atol=1e-5, rtol=0)


def test_frame_rows_start_at_their_words_embeddings(tmp_path):
    """Composed onto an LLM whose tokenizer lacks them, each starts at its word's mean embedding."""
    tokenizer = plain_tokenizer()
    CLIPVisionModel(CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2,
                                     image_size=32, patch_size=8)).save_pretrained(tmp_path / "vision")
    _square_image_processor(32, [0.5] * 3, [0.5] * 3).save_pretrained(tmp_path / "vision")
    llm = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                                       num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1))
    llm.save_pretrained(tmp_path / "llm")
    tokenizer.save_pretrained(tmp_path / "llm")
    model, processor = from_parts(tmp_path / "vision", tmp_path / "llm", num_queries=[2, 2, 2])
    rows = _frame_rows(model, processor)
    table = llm.get_input_embeddings().weight
    for i, word in enumerate(["low", "middle", "high", "theme"]):
        ids = tokenizer(word, add_special_tokens=False)["input_ids"]
        torch.testing.assert_close(rows[i], table[ids].mean(0))
    assert len({tuple(r.tolist()) for r in rows}) == len(LEVEL_TOKENS)


def test_a_checkpoint_without_frame_rows_loads_with_the_rows_it_was_trained_with(tiny_dir, tmp_path, photos):
    """Saved before ``frame_embeddings`` existed: the LLM's rows for the framing tokens are used."""
    import shutil

    shutil.copytree(tiny_dir, tmp_path, dirs_exist_ok=True)
    weights = load_file(tmp_path / "model.safetensors")
    del weights["frame_embeddings.weight"]
    save_file(weights, tmp_path / "model.safetensors", metadata={"format": "pt"})
    model, processor = load_model(tmp_path)
    table = model.get_input_embeddings().weight
    torch.testing.assert_close(_frame_rows(model, processor), table[processor.level_token_ids], atol=0, rtol=0)
