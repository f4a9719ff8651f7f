"""lmms-eval plugin: the ``aesthetic_mllm`` model and a correlation-based aesthetic scoring task.

lmms-eval (>= 0.7) finds external models through the ``lmms_eval.models`` entry-point group;
ours points at :func:`manifest`. Tasks are YAML files found through ``--include_path``:
:func:`~.data.write_task` turns a local dataset (a CSV of image,score or our record JSONL)
into one task folder. See ``docs/lmms_eval.md``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MODEL_CLASS", "MODEL_NAME", "manifest", "write_task"]

MODEL_NAME = "aesthetic_mllm"
MODEL_CLASS = "aesthetic_mllm.integrations.lmms_eval.model.AestheticLMM"


def manifest():
    """The ``ModelManifest`` lmms-eval registers for ``--model aesthetic_mllm`` (imports lmms-eval)."""
    from lmms_eval.models.registry_v2 import ModelManifest

    return ModelManifest(model_id=MODEL_NAME, simple_class_path=MODEL_CLASS, aliases=("aesthetic-mllm",))


def __getattr__(name: str) -> Any:
    if name == "write_task":  # imported on first use: lmms-eval loads this module for every run
        from .data import write_task

        return write_task
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
