"""Inference plumbing shared by the scorers: device/dtype choice and the prefix-cached forward.

Every prompt of a scoring batch is the same text around a different image, so the tokens before
the first image position are identical in every row. :func:`last_logits` runs the LLM over that
shared prefix once (batch 1), repeats its KV cache over the batch and runs only the rest (image
tokens, question, answer prefix) per row; the logits equal those of a full forward pass (same
positions, same causal attention) up to floating-point rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def default_device() -> torch.device:
    """``cuda`` when a GPU is visible, else ``cpu``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def default_dtype(device: str | torch.device) -> str:
    """bfloat16 on GPUs that support it (float16 on older ones), float32 on CPU."""
    if torch.device(device).type != "cuda":
        return "float32"
    return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"


def default_batch_size(device: str | torch.device) -> int:
    """Large batches on a GPU (one forward pass each), moderate ones on CPU."""
    return 64 if torch.device(device).type == "cuda" else 16


def unwrap(model):
    """The ``AestheticMLLMForConditionalGeneration`` under a PEFT wrapper (adapters stay injected)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def shared_prefix_length(input_ids: torch.Tensor, attention_mask: torch.Tensor | None,
                         image_ids: Sequence[int]) -> int:
    """Columns before the first image-expansion token that are identical and unpadded in every row."""
    first_rows = input_ids[:1].expand_as(input_ids)
    same = (input_ids == first_rows).all(dim=0)
    if attention_mask is not None:
        same &= attention_mask.bool().all(dim=0)
    same &= ~torch.isin(input_ids, torch.tensor(list(image_ids), device=input_ids.device)).any(dim=0)
    bad = (~same).nonzero()
    return int(bad[0, 0]) if len(bad) else input_ids.shape[1] - 1


@torch.no_grad()
def last_logits(model, input_ids: torch.Tensor, pixel_values: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None, image_ids: Sequence[int] = ()) -> torch.Tensor:
    """(batch, vocab) logits at the last position, encoding the shared text prefix once per batch."""
    core = unwrap(model)
    prefix = shared_prefix_length(input_ids, attention_mask, image_ids) if image_ids else 0
    if prefix == 0:
        return model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask,
                     logits_to_keep=1).logits[:, -1]
    lm = core.language_model
    prefix_embeds = core.get_input_embeddings()(input_ids[:1, :prefix])
    cache = lm(inputs_embeds=prefix_embeds, use_cache=True, logits_to_keep=1).cache
    cache.batch_repeat_interleave(input_ids.shape[0])
    embeds = core.embed_inputs(input_ids[:, prefix:], pixel_values)
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    return lm(inputs_embeds=embeds, attention_mask=attention_mask, cache=cache, use_cache=True,
              logits_to_keep=1).logits[:, -1]
