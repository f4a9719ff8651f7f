"""Personalization: task-vector LoRA combinations and interviews; in-context scoring (``PersonalScorer``)
lives with the other scorers in :mod:`aesthetic_mllm.scoring.personal` and is re-exported here."""

from importlib import import_module
from typing import Any

# imported on first use, so that the command line builds its parser without torch
_LAZY = {"PersonalScorer": "..scoring.personal", "TaskVector": ".lora_bank", "TaskVectorBank": ".lora_bank",
         "load_task_vector": ".lora_bank", "FitConfig": ".task_vectors", "FitResult": ".task_vectors",
         "fit_coefficients": ".task_vectors", "personalize_task_vectors": ".task_vectors",
         "train_task_vectors": ".task_vectors"}

__all__ = ["FitConfig", "FitResult", "PersonalScorer", "TaskVector", "TaskVectorBank", "fit_coefficients",
           "load_task_vector", "personalize_task_vectors", "train_task_vectors"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
