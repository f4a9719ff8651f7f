"""Greedy chat generation with a local transformers causal LM (torch imported on first use)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..contract.prompts import Message


def render_plain(messages: Sequence[Message]) -> str:
    """A prompt for a tokenizer without a chat template: one user message as is, else role sections."""
    if len(messages) == 1 and messages[0]["role"] == "user":
        return messages[0]["content"] + "\n"
    parts = [f"### {m['role'].capitalize()}\n{m['content']}" for m in messages]
    return "\n\n".join(parts) + "\n\n### Assistant\n"


def hf_generate_chat(model: Any, tokenizer: Any, messages: Sequence[Message], max_new_tokens: int = 64,
                     device: str = "cpu") -> str:
    """Greedy continuation of ``messages`` by a transformers causal LM (new text only)."""
    import torch

    if tokenizer.chat_template:
        text = tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
    else:
        text = render_plain(messages)
    inputs = tokenizer(text, return_tensors="pt", add_special_tokens=not tokenizer.chat_template).to(device)
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
