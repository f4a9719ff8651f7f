"""``aesthetic-mllm export``: merge a PEFT adapter into a plain model directory that loads without peft.

LoRA deltas are folded into their base weights, ``modules_to_save`` copies (the MFA, a trained
vision tower) replace the originals and trainable token rows are written into the embeddings,
all by peft's own ``merge_and_unload``. The result is saved like any model (``save_model``:
safetensors, config, processor, model card) in the requested dtype, plus ``export.json``
recording where it came from.
"""

from __future__ import annotations

import json
from pathlib import Path

DTYPE_NAMES = {"fp32": "float32", "float32": "float32", "bf16": "bfloat16", "bfloat16": "bfloat16",
               "fp16": "float16", "float16": "float16"}


def export_model(source: str | Path, out_dir: str | Path, dtype: str = "float32") -> Path:
    """Merge ``source`` (an adapter directory, or a saved model to re-save) into ``out_dir``; returns it."""
    from .model.loading import DTYPES, is_adapter_dir, load_model, save_model

    if dtype not in DTYPE_NAMES:
        raise ValueError(f"--dtype {dtype!r}: choose one of {', '.join(DTYPE_NAMES)}")
    source, out_dir = Path(source), Path(out_dir)
    if out_dir.resolve() == source.resolve():
        raise ValueError(f"{out_dir}: the export must go to a new directory, not over its source")
    adapter = is_adapter_dir(source)
    model, processor = load_model(source)  # float32: merge at full precision, cast afterwards
    if adapter:
        model = model.merge_and_unload()
    model = model.to(DTYPES[DTYPE_NAMES[dtype]])
    model.config.dtype = DTYPE_NAMES[dtype]
    run = source / "run.json"
    out_dir.mkdir(parents=True, exist_ok=True)
    if run.is_file():  # the training record travels with the weights (the card reads it)
        (out_dir / "run.json").write_text(run.read_text())
    (out_dir / "export.json").write_text(json.dumps(
        {"source": str(source.resolve()), "kind": "merged PEFT adapter" if adapter else "saved model",
         "dtype": DTYPE_NAMES[dtype]}, indent=2) + "\n")
    return save_model(model, processor, out_dir)
