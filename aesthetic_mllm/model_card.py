"""``README.md`` model cards with Hugging Face Hub metadata for every saved model directory.

The card is built from what the directory holds: ``config.json`` (parts, rating words),
the safetensors headers (parameters per part), ``run.json`` of a training run (recipe, data
counts, skipped samples), ``export.json`` of an export, and evaluation results when known
(``eval_results=`` or an ``eval_results.json`` beside the weights, shaped like the eval
harness's ``results.json``: ``{benchmark: {metric: value}}``). Nothing is imported beyond
``huggingface_hub`` and ``safetensors``, so writing a card is cheap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CARD = "README.md"
EVAL_RESULTS = "eval_results.json"
DEFAULT_RANGE = (1.0, 5.0)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def parameter_counts(model_dir: str | Path) -> dict[str, int]:
    """Parameters per top-level part (``vision_tower``, ``mfa``, ``language_model`` ...) from safetensors headers."""
    from safetensors import safe_open

    counts: dict[str, int] = {}
    for path in sorted(Path(model_dir).glob("*.safetensors")):
        with safe_open(str(path), framework="np") as f:
            for key in f.keys():
                part = key.removeprefix("base_model.model.").removeprefix("model.").split(".")[0]
                counts[part] = counts.get(part, 0) + math.prod(f.get_slice(key).get_shape())
    return counts


def _parts(config: Mapping[str, Any], counts: Mapping[str, int], adapter: Mapping[str, Any]) -> list[str]:
    vision, text = config.get("vision_config") or {}, config.get("text_config") or {}
    lines = []
    if vision:
        lines.append(f"- **Vision tower**: `{vision.get('model_type', '?')}`, {vision.get('num_hidden_layers', '?')} "
                     f"layers, width {vision.get('hidden_size', '?')}, {vision.get('image_size', '?')} px images, "
                     f"patch {vision.get('patch_size', '?')}")
    if config.get("num_queries") is not None:
        lines.append(f"- **MFA** (multi-scale feature alignment): queries per scale {config.get('num_queries')}, "
                     f"width {config.get('mfa_hidden_size', '?')}, layer groups {config.get('layer_groups', '?')}")
    if text:
        lines.append(f"- **Language model**: `{text.get('model_type', '?')}`, {text.get('num_hidden_layers', '?')} "
                     f"layers, width {text.get('hidden_size', '?')}, vocabulary {text.get('vocab_size', '?')}")
    if counts:
        total = sum(counts.values())
        what = "adapter parameters (LoRA + modules_to_save)" if adapter else "parameters"
        lines.append(f"- **{what.capitalize()}**: {total:,} in all (" + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ")")
    if adapter:
        lines.append(f"- **PEFT adapter** ({adapter.get('peft_type', 'LORA')}, r={adapter.get('r')}) on the base model "
                     f"`{adapter.get('base_model_name_or_path')}`; `aesthetic-mllm export` merges it into a plain model")
    return lines


def _recipe(run: Mapping[str, Any], export: Mapping[str, Any]) -> list[str]:
    lines = []
    if export:
        lines.append(f"- Exported from `{export.get('source')}` ({export.get('kind', 'model')}), "
                     f"weights stored as {export.get('dtype', 'float32')}; loads without peft.")
    cfg = run.get("config") or {}
    if cfg:
        train, model = cfg.get("train") or {}, cfg.get("model") or {}
        adaptation = model.get("adaptation") or {}
        lines.append(f"- Stage `{cfg.get('stage')}`: {adaptation.get('method', 'full')} "
                     f"(vision {'trained' if adaptation.get('train_vision') else 'frozen'}, "
                     f"MFA {'trained' if adaptation.get('train_mfa', True) else 'frozen'}), "
                     f"{train.get('max_steps')} steps, lr {train.get('lr')}, batch {train.get('per_device_batch_size')}"
                     f" x {train.get('gradient_accumulation_steps', 1)} accumulation, seed {train.get('seed')}")
        if cfg.get("tasks") and cfg.get("stage") == "stage2":
            mix = {k: v for k, v in cfg["tasks"].items() if k in ("scoring", "commenting", "suggesting", "piaa") and v}
            lines.append(f"- Task mixture: {mix}")
        if cfg.get("description"):
            lines.append(f"- {cfg['description']}")
    if run.get("git_commit"):
        lines.append(f"- Code: aesthetic_mllm {(run.get('versions') or {}).get('aesthetic_mllm', '')} "
                     f"at commit `{run['git_commit']}`")
    return lines


def _data(run: Mapping[str, Any]) -> list[str]:
    data = run.get("data") or {}
    sources = data.get("sources") or {}
    lines = []
    if sources:
        lines += ["| source | records | skipped while loading | problems |", "|---|---:|---:|---|"]
        for name, c in sources.items():
            if isinstance(c, Mapping):
                lines.append(f"| {name} | {c.get('records', '')} | {c.get('skipped', 0)} | "
                             f"{', '.join(f'{k}: {v}' for k, v in (c.get('problems') or {}).items()) or '-'} |")
    skipped = data.get("skipped_during_training")
    if isinstance(skipped, Mapping) and "total" in skipped:
        kinds = ", ".join(f"{k}: {v}" for k, v in (skipped.get("by_error") or {}).items())
        lines.append(f"\nSamples skipped during training (unreadable at load time): {skipped['total']}"
                     + (f" ({kinds})" if kinds else ""))
    elif skipped:
        lines.append(f"\nSamples skipped during training: {skipped}")
    return lines


def _eval(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| benchmark | metric | value |", "|---|---|---:|"]
    for bench, metrics in results.items():
        for metric, value in (metrics or {}).items():
            if isinstance(value, (int, float)) and not metric.endswith("_std"):
                lines.append(f"| {bench} | {metric} | {value:.4f} |")
    return lines if len(lines) > 2 else []


def _eval_metadata(results: Mapping[str, Mapping[str, Any]]):
    from huggingface_hub import EvalResult

    out = []
    for bench, metrics in results.items():
        for metric, value in (metrics or {}).items():
            if isinstance(value, (int, float)) and math.isfinite(value) and not metric.endswith("_std"):
                out.append(EvalResult(task_type="image-aesthetic-assessment", task_name="Image aesthetic assessment",
                                      dataset_type=bench, dataset_name=bench, metric_type=metric,
                                      metric_value=float(value)))
    return out or None


def model_card(model_dir: str | Path, eval_results: Mapping[str, Mapping[str, Any]] | None = None,
               score_range: tuple[float, float] = DEFAULT_RANGE):
    """The :class:`huggingface_hub.ModelCard` of a saved model directory (not written)."""
    from huggingface_hub import ModelCard, ModelCardData

    model_dir = Path(model_dir)
    config = _read_json(model_dir / "config.json")
    adapter = _read_json(model_dir / "adapter_config.json")
    if adapter and not config:  # a PEFT adapter directory: the parts are the base model's
        config = _read_json(Path(str(adapter.get("base_model_name_or_path", ""))) / "config.json")
    run = _read_json(model_dir / "run.json")
    export = _read_json(model_dir / "export.json")
    results = eval_results if eval_results is not None else _read_json(model_dir / EVAL_RESULTS)
    words = list(config.get("rating_words") or [])
    base = (config.get("text_config") or {}).get("_name_or_path") or None
    data = ModelCardData(
        library_name="transformers", license="apache-2.0", pipeline_tag="image-text-to-text",
        tags=["aesthetic_mllm", "image-aesthetic-assessment", "multimodal"],
        base_model=base if base and not Path(base).is_absolute() else None,
        model_name=model_dir.resolve().name, eval_results=_eval_metadata(results) if results else None,
        rating_words=words or None, score_range=list(score_range),
    )
    lo, hi = score_range
    sections = [
        f"# {model_dir.resolve().name}",
        "An aesthetic_mllm model: a vision tower, multi-scale feature alignment (MFA) and a causal LM that "
        "score photos, write critiques and suggest improvements.",
        "## Parts", "\n".join(_parts(config, parameter_counts(model_dir), adapter) or ["- (no config.json found)"]),
        "## Scores",
        f"The score is the expectation over the rating words {words or '(see config.json)'} (best first, levels "
        f"5..1) read at the answer position, mapped linearly onto the declared range (default [{lo:g}, {hi:g}]; "
        "`--range LO,HI` on the command line, `score_range=` in Python).",
        "## Use",
        "```bash\naesthetic-mllm score --model DIR --range 1,10 photo.jpg\n"
        "aesthetic-mllm comment --model DIR photo.jpg\n```",
        "```python\nfrom aesthetic_mllm import AestheticScorer\n"
        "scorer = AestheticScorer.from_pretrained(\"DIR\", score_range=(1, 10))\n"
        "print(scorer.score([\"photo.jpg\"])[0].score)\n```",
    ]
    recipe = _recipe(run, export)
    if recipe:
        sections += ["## Training recipe", "\n".join(recipe)]
    data_lines = _data(run)
    if data_lines:
        sections += ["## Training data", "\n".join(data_lines)]
    eval_lines = _eval(results) if results else []
    sections += ["## Evaluation", "\n".join(eval_lines or ["Not evaluated yet (`aesthetic-mllm eval --model DIR ...`)."])]
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n\n".join(sections) + "\n")


def write_model_card(model_dir: str | Path, eval_results: Mapping[str, Mapping[str, Any]] | None = None,
                     score_range: tuple[float, float] = DEFAULT_RANGE) -> Path:
    """Write (or refresh) ``model_dir/README.md``; returns its path."""
    path = Path(model_dir) / CARD
    model_card(model_dir, eval_results, score_range).save(path)
    return path
