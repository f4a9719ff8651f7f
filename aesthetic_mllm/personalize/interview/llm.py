"""The interview's LLM: one ``chat(messages)`` interface, three backends.

- :class:`ModelLLM`: our own model (``AestheticMLLMForConditionalGeneration``), text only, through
  its processor's chat template;
- :class:`HFCausalLM`: any local Hugging Face causal-LM directory;
- :class:`OpenAICompatibleLLM`: any ``/v1/chat/completions`` endpoint (base URL, model, API key),
  through :class:`aesthetic_mllm.llm.ChatEndpoint` (the ``openai`` client, the ``llm`` extra).

Every backend failure (unreachable server, prompt too long, ...) surfaces as :class:`LLMError`,
which the interviewer and the analyzer answer by their deterministic fallbacks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...llm import ChatEndpoint, Message, hf_generate_chat


class LLMError(RuntimeError):
    """The LLM backend could not produce an answer."""


class ChatLLM(ABC):
    """A chat model: ``chat(messages, max_new_tokens) -> text`` (greedy where the backend allows)."""

    name = "llm"

    def chat(self, messages: Sequence[Message], max_new_tokens: int = 128) -> str:
        """The model's reply to ``messages``; any backend failure is raised as :class:`LLMError`."""
        try:
            return self._complete(list(messages), max_new_tokens)
        except LLMError:
            raise
        except Exception as err:  # backends fail in many ways (HTTP, tokenizer, CUDA, ...)
            raise LLMError(f"{self.name}: {err}") from err

    @abstractmethod
    def _complete(self, messages: list[Message], max_new_tokens: int) -> str:
        """Backend-specific generation."""


class ModelLLM(ChatLLM):
    """Text-only generation with an ``AestheticMLLMForConditionalGeneration`` and its processor."""

    def __init__(self, model, processor, device: str | None = None):
        self.model, self.processor = model.eval(), processor
        self.device = device or str(next(model.parameters()).device)
        self.model.to(self.device)
        self.name = f"model:{getattr(model.config, '_name_or_path', '') or 'in-memory'}"

    @classmethod
    def from_dir(cls, path: str | Path, device: str = "cpu") -> ModelLLM:
        """Load a saved model directory (``load_model``)."""
        from ...model.loading import load_model

        model, processor = load_model(path)
        return cls(model, processor, device=device)

    def _complete(self, messages: list[Message], max_new_tokens: int) -> str:
        import torch

        tokenizer = self.processor.tokenizer
        text = self.processor.apply_chat_template(messages, add_generation_prompt=True)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if self.processor.image_token_id in ids:
            raise LLMError(f"{self.name}: a text-only prompt must not contain the image token")
        limit = getattr(self.model.config.text_config, "max_position_embeddings", None)
        if limit is not None and len(ids) + max_new_tokens > limit:
            raise LLMError(f"{self.name}: prompt of {len(ids)} tokens + {max_new_tokens} new tokens exceeds the "
                           f"model's {limit} positions")
        input_ids = torch.tensor([ids], device=self.device)
        out = self.model.generate(input_ids, max_new_tokens=max_new_tokens, do_sample=False)
        return tokenizer.decode(out[0], skip_special_tokens=True)


class HFCausalLM(ChatLLM):
    """A local transformers causal LM directory (loaded on first use)."""

    def __init__(self, model_dir: str | Path, device: str = "cpu"):
        self.model_dir, self.device = Path(model_dir), device
        self.name = f"hf:{self.model_dir}"
        self._model: Any = None
        self._tokenizer: Any = None

    def _complete(self, messages: list[Message], max_new_tokens: int) -> str:
        if self._model is None:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            if not self.model_dir.is_dir():
                raise LLMError(f"{self.name}: not a directory")
            self._tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
            self._model = AutoModelForCausalLM.from_pretrained(self.model_dir).to(self.device).eval()
        return hf_generate_chat(self._model, self._tokenizer, messages, max_new_tokens, self.device)


class OpenAICompatibleLLM(ChatLLM):
    """An OpenAI-compatible ``{base_url}/v1/chat/completions`` endpoint, ``temperature`` 0 by default."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 temperature: float = 0.0):
        self.endpoint = ChatEndpoint(base_url, model, api_key=api_key, timeout=timeout)
        self.url, self.model, self.temperature = self.endpoint.url, model, temperature
        self.name = f"openai:{self.url}:{model}"

    def _complete(self, messages: list[Message], max_new_tokens: int) -> str:
        return self.endpoint.complete(messages, temperature=self.temperature, max_tokens=max_new_tokens)


def build_llm(model_dir: str | Path | None = None, llm_dir: str | Path | None = None,
              endpoint: str | None = None, llm_model: str | None = None, api_key: str | None = None,
              device: str = "cpu") -> ChatLLM:
    """The backend the options name: an endpoint, else a HF causal-LM dir, else our model dir."""
    if endpoint:
        if not llm_model:
            raise ValueError("an LLM endpoint needs a model name (--llm-model)")
        return OpenAICompatibleLLM(endpoint, llm_model, api_key=api_key)
    if llm_dir:
        return HFCausalLM(llm_dir, device=device)
    if model_dir:
        return ModelLLM.from_dir(model_dir, device=device)
    raise ValueError("no LLM given: pass a model directory, an HF causal-LM directory or an endpoint")
