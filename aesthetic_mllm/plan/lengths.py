"""Sequence lengths of the recipe's first records, as the training dataset renders them (no image read)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..config import Recipe
from .shapes import ModelShapes

PERCENTILES = (50, 90, 95, 99, 100)


@dataclass
class Lengths:
    """Token counts per sample (uncapped) and how many exceed ``data.max_length``."""

    records: int
    percentiles: dict[int, int]
    over_max_length: float
    images_per_sample: int


def mixture(recipe: Recipe) -> dict[str, float]:
    """The task mixture the recipe's stage trains (the training workflow's own)."""
    from ..train.workflows import stage_mixture

    return stage_mixture(recipe)


def max_shots(recipe: Recipe) -> int:
    shots = recipe.tasks.piaa_shots
    return max(shots) if isinstance(shots, (list, tuple)) else int(shots)


def _tokenizer(recipe: Recipe, shapes: ModelShapes):
    """The tokenizer training would use, or None when only configs are at hand."""
    if shapes.tokenizer_dir:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(shapes.tokenizer_dir)
    m = recipe.model
    if not (m.path or m.from_llava or m.vision or m.llm):
        from ..model.presets import get_preset
        from ..model.tokenizer import build_tiny_tokenizer

        return build_tiny_tokenizer(get_preset(m.preset).vocab_size)
    return None


def _processor(tokenizer, shapes: ModelShapes):
    from ..model.processor import AestheticProcessor

    try:
        from transformers import SiglipImageProcessorPil as ImageProcessor
    except ImportError:  # older transformers
        from transformers import SiglipImageProcessor as ImageProcessor
    size = int(shapes.config.vision_config.image_size)
    config = shapes.config
    return AestheticProcessor(ImageProcessor(size={"height": size, "width": size}), tokenizer, config.num_queries,
                              config.num_thematic_tokens, image_size=size)


def sequence_lengths(recipe: Recipe, shapes: ModelShapes, limit: int) -> Lengths | str:
    """Length percentiles of the first ``limit`` records of each source, or why they are unavailable."""
    from ..data.dataset import TaskDataset
    from ..train.records import load_records

    tokenizer = _tokenizer(recipe, shapes)
    if tokenizer is None:
        return "no tokenizer next to the model's configs: sequence lengths skipped"
    data = copy.deepcopy(recipe.data)
    for source in data.sources:
        source.limit = min(source.limit or limit, limit)
        source.on_error = "skip"
    try:
        records, _ = load_records(data)
    except Exception as exc:  # noqa: BLE001 - any unreadable source means: data not present here
        return f"data not present ({type(exc).__name__}: {str(exc).splitlines()[0][:160]}): sequence lengths skipped"
    options = {"scoring": {"soft_labels": recipe.tasks.soft_labels}, "piaa": {"shots": recipe.tasks.piaa_shots}}
    mix = mixture(recipe)
    dataset = TaskDataset(records, mix, _processor(tokenizer, shapes), max_length=10**9, seed=recipe.train.seed,
                          task_options={k: v for k, v in options.items() if k in mix})
    lengths = np.array(dataset.lengths())
    over = float((lengths > recipe.data.max_length).mean()) if len(lengths) else 0.0
    return Lengths(records=len(records), percentiles={q: int(np.percentile(lengths, q)) for q in PERCENTILES},
                   over_max_length=over, images_per_sample=images_per_sample(recipe))


def images_per_sample(recipe: Recipe) -> int:
    """The most images one sample holds: k shots + the query for in-context PIAA, else one."""
    return max_shots(recipe) + 1 if recipe.stage == "stage2" and recipe.tasks.piaa > 0 else 1
