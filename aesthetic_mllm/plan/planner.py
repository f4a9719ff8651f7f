"""One recipe's plan: shapes, lengths, model states per strategy, activations and the fit verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import Recipe
from .lengths import Lengths, images_per_sample, sequence_lengths
from .memory import (
    HEADROOM,
    STRATEGIES,
    Activations,
    StateMemory,
    activations,
    deepspeed_all_trainable,
    model_states,
)
from .shapes import ModelShapes, model_shapes


def parse_memory(text: str) -> float:
    """``80GB`` / ``80GiB`` / ``24G`` / ``81920MB`` -> bytes (binary units, as GPU memory is sold)."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)(i?B)?\s*", text, flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"--gpu-memory: cannot read {text!r}; write e.g. 80GB")
    scale = {"": 2**30, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[match.group(2).upper()]
    return float(match.group(1)) * scale


@dataclass
class Fit:
    """Per-GPU need of one strategy with and without gradient checkpointing, against the GPU."""

    states: float
    with_checkpointing: float
    without_checkpointing: float
    usable: float

    @property
    def verdict(self) -> str:
        if self.without_checkpointing <= self.usable:
            return "fits"
        if self.with_checkpointing <= self.usable:
            return "fits with gradient checkpointing"
        return "does not fit"


@dataclass
class Plan:
    recipe: Recipe
    shapes: ModelShapes
    gpus: int
    gpu_memory: float
    states: dict[str, StateMemory]
    activations: Activations
    lengths: Lengths | str
    deepspeed_tables: str
    fits: dict[str, Fit] = field(default_factory=dict)


def plan_recipe(recipe: Recipe, gpu_memory: float = 80 * 2**30, gpus: int = 8, records: int = 1000) -> Plan:
    """Plan ``recipe`` on ``gpus`` GPUs of ``gpu_memory`` bytes, reading at most ``records`` records."""
    shapes = model_shapes(recipe.model)
    lengths = sequence_lengths(recipe, shapes, records) if records > 0 else "sequence lengths skipped (--records 0)"
    acts = activations(shapes, recipe.train.per_device_batch_size, recipe.data.max_length, images_per_sample(recipe))
    states = model_states(shapes, gpus)
    usable = HEADROOM * gpu_memory
    fits = {}
    for name in STRATEGIES:
        s = states[name]
        if s.total == 0:
            continue
        fits[name] = Fit(states=s.total, with_checkpointing=s.total + acts.total_checkpointed,
                         without_checkpointing=s.total + acts.total, usable=usable)
    return Plan(recipe=recipe, shapes=shapes, gpus=gpus, gpu_memory=gpu_memory, states=states, activations=acts,
                lengths=lengths, deepspeed_tables=deepspeed_all_trainable(shapes, gpus), fits=fits)
