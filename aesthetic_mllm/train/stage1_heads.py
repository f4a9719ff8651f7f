"""The stage-1 heads (per-level attribute heads, cue projections) saved beside the stage-1 model.

The model dir itself stays a plain AestheticMLLM dir (``load_model``/``model=DIR`` load it);
``stage1_heads.safetensors`` holds the heads' tensors under their ``Stage1Objective`` names
and ``stage1_heads.json`` says what they predict, so stage 1 can be continued or inspected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

HEADS_FILE = "stage1_heads.safetensors"
HEADS_META = "stage1_heads.json"
FORMAT = "aesthetic_mllm.stage1_heads/1"


def save_stage1_heads(out_dir: str | Path, tensors: Mapping[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Write the heads' tensors (contiguous CPU copies) and their description; returns the tensor file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, out / HEADS_FILE,
              metadata={"format": FORMAT})
    (out / HEADS_META).write_text(json.dumps({"format": FORMAT, "tensors": sorted(tensors), **meta}, indent=2))
    return out / HEADS_FILE


def load_stage1_heads(model_dir: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """``(tensors, description)`` saved by :func:`save_stage1_heads`; FileNotFoundError names the dir."""
    path = Path(model_dir)
    if not (path / HEADS_FILE).is_file():
        raise FileNotFoundError(f"{path}: no {HEADS_FILE}; not a stage-1 output directory")
    return load_file(path / HEADS_FILE), json.loads((path / HEADS_META).read_text())
