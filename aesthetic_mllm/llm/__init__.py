"""Text generation, one way for the whole package: an OpenAI-compatible endpoint or a local HF causal LM.

- :class:`ChatEndpoint`: any ``/v1/chat/completions`` server (vLLM, llama.cpp, OpenAI, ...) through
  the ``openai`` client, an optional extra (``pip install 'aesthetic_mllm[llm]'``) imported only
  when an endpoint is configured;
- :func:`hf_generate_chat`: greedy generation with a local transformers causal LM.

Layering: this package imports nothing of ours but :mod:`aesthetic_mllm.contract` (the
``Message`` type). The cue writers (``data.cues``) and the interview (``personalize.interview``)
import it downward; it never imports them.
"""

from .endpoint import OPENAI_EXTRA, ChatEndpoint, Message, api_base
from .local import hf_generate_chat, render_plain

__all__ = ["OPENAI_EXTRA", "ChatEndpoint", "Message", "api_base", "hf_generate_chat", "render_plain"]
