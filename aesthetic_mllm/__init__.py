"""aesthetic_mllm: fine-tune multimodal LLMs that score, comment on and personalize photo aesthetics."""

from importlib import import_module
from typing import Any

__version__ = "0.1.0"
# imported on first use, so that the command line (``--help``) starts without torch
_LAZY = {"AestheticMLLMConfig": ".model", "AestheticMLLMForConditionalGeneration": ".model",
         "AestheticProcessor": ".model", "AestheticScorer": ".scoring"}
__all__ = [*_LAZY, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
