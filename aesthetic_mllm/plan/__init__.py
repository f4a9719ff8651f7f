"""``aesthetic-mllm plan``: a dry run of a recipe from config files only (no weights, CPU, seconds).

The model is built on the meta device from the recipe's configs (a config-only directory is
enough for ``model.vision``, ``model.llm``, ``model.path`` or ``model.from_llava``); the recipe's
adaptation decides what trains. The plan reports parameters per part, visual tokens per
image, sequence-length percentiles of the first records (when the data is present) and the
per-GPU memory of weights, gradients, optimizer states and activations under DDP, ZeRO-2,
ZeRO-3 and ZeRO-3 offload, and whether that fits the GPUs given.

Submodules import torch; this package's top level does not (the command line builds its parser
without it).
"""

from importlib import import_module
from typing import Any

_LAZY = {"Plan": ".planner", "plan_recipe": ".planner", "format_plan": ".report", "model_shapes": ".shapes",
         "composite_config": ".shapes"}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
