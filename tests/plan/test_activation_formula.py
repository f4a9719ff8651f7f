"""The planner's per-layer activation formulas against the tensors autograd really saves.

A Llama decoder layer under bf16 autocast with SDPA; bytes counted with
``torch.autograd.graph.saved_tensors_hooks`` (unique storages, parameters and the shared rotary
tables left out), per token from the difference of two sequence lengths so per-layer constants
(autocast's weight casts) drop out.
"""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaDecoderLayer, LlamaRotaryEmbedding

from aesthetic_mllm.plan.memory import layer_bytes_per_token, lora_bytes_per_token

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class _Wrap(torch.nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, *args, **kwargs):
        return self.layer(*args, **kwargs)


def _saved_bytes(module, config, seq: int, batch: int, dtype) -> int:
    rotary = LlamaRotaryEmbedding(config)
    x = torch.randn(batch, seq, config.hidden_size, dtype=dtype, requires_grad=True)
    positions = torch.arange(seq)[None].expand(batch, -1)
    cos_sin = rotary(x, positions)
    skip = {p.untyped_storage().data_ptr() for p in module.parameters()}
    skip |= {t.untyped_storage().data_ptr() for t in cos_sin}
    seen: dict[int, int] = {}

    def pack(t):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in skip:
            seen[ptr] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), torch.autocast("cpu", dtype=torch.bfloat16):
        module(x, attention_mask=None, position_ids=positions, position_embeddings=cos_sin)
    return sum(seen.values())


def _per_token(h, kv_heads, heads, i, trainable=False, lora_r=None):
    config = LlamaConfig(hidden_size=h, intermediate_size=i, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         num_hidden_layers=1)
    config._attn_implementation = "sdpa"
    torch.manual_seed(0)
    layer = LlamaDecoderLayer(config, 0)
    if not trainable:
        layer = layer.to(torch.bfloat16).requires_grad_(False)
    module = layer
    if lora_r:
        from peft import LoraConfig, get_peft_model

        module = get_peft_model(_Wrap(layer), LoraConfig(r=lora_r, lora_alpha=2 * lora_r, lora_dropout=0.05,
                                                         target_modules=TARGETS))
    dtype = torch.float32 if trainable else torch.bfloat16
    short, long = (_saved_bytes(module, config, s, 2, dtype) for s in (64, 128))
    return (long - short) / (2 * 64)


SHAPES = [(256, 4, 4, 688), (512, 8, 8, 688), (256, 2, 4, 1376)]


@pytest.mark.parametrize("h,kv_heads,heads,i", SHAPES)
@pytest.mark.parametrize("trainable", [False, True])
def test_layer_formula_matches_saved_tensors(h, kv_heads, heads, i, trainable):
    measured = _per_token(h, kv_heads, heads, i, trainable=trainable)
    predicted = layer_bytes_per_token(h, kv_heads * h // heads, i, heads, trainable=trainable)
    assert predicted == pytest.approx(measured, rel=0.02)


@pytest.mark.parametrize("h,kv_heads,heads,i", SHAPES[:2])
@pytest.mark.parametrize("r", [8, 64])
def test_lora_formula_matches_saved_tensors(h, kv_heads, heads, i, r):
    extra = _per_token(h, kv_heads, heads, i, lora_r=r) - _per_token(h, kv_heads, heads, i)
    predicted = lora_bytes_per_token(h, i, TARGETS, r, mask_bytes=4)  # CPU dropout keeps an fp32 mask
    assert predicted == pytest.approx(extra, rel=0.03)
