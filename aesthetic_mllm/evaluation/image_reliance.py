"""Does a model look at its images? The answer loss with each sample's own images vs other samples'.

A "blind" control for any task: the same batches are scored twice, once as built and once with
every image swapped for one of another sample in the batch. A model that reads the pixels loses
more on the swapped batch; equal losses mean its answers come from the text alone, whatever its
training loss says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..data.tasks.ssl import KINDS

SSL_KINDS = tuple(KINDS)
TASKS = (*SSL_KINDS, "scoring", "commenting", "suggesting")

__all__ = ["SSL_KINDS", "TASKS", "answer_loss", "answer_losses", "swap_images"]


def _mixture(task: str) -> tuple[dict[str, float], dict[str, Any]]:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {list(TASKS)}")
    if task in SSL_KINDS:
        return {"ssl": 1.0}, {"ssl": {"kinds": {task: 1.0}}}
    return {task: 1.0}, ({"scoring": {"soft_labels": False}} if task == "scoring" else {})


def swap_images(pixels: torch.Tensor) -> torch.Tensor:
    """Every image replaced by one half a batch away (another sample's, with at most two per sample)."""
    return pixels.roll(max(1, len(pixels) // 2), dims=0)


def answer_loss(model, batch: dict[str, torch.Tensor], pixels: torch.Tensor) -> torch.Tensor:
    """The mean answer-token loss of a collated ``batch`` shown ``pixels`` (its own, or swapped)."""
    inputs = {k: batch[k].to(pixels.device) for k in ("input_ids", "attention_mask", "labels")}
    return model(**inputs, pixel_values=pixels).loss


@torch.no_grad()
def answer_losses(model, processor, records: Sequence, task: str, samples: int = 64, batch_size: int = 16,
                  seed: int = 7) -> tuple[float, float]:
    """Mean answer-token loss of ``samples`` samples of ``task`` on ``records``: (own images, swapped).

    ``task`` is a stage-2 task (scoring with hard words, commenting, suggesting) or a stage-1
    ``ssl`` kind. Samples are seeded by ``seed``, so two models are compared on the same batches.
    """
    from ..data.collator import MultimodalCollator
    from ..data.dataset import TaskDataset

    mixture, options = _mixture(task)
    dataset = TaskDataset(records, mixture, processor, 1024, seed=seed, num_samples=samples, task_options=options)
    collate = MultimodalCollator(processor)
    device = next(model.parameters()).device
    sums, batches = [0.0, 0.0], 0
    for start in range(0, samples, batch_size):
        batch = collate([dataset[i] for i in range(start, min(samples, start + batch_size))])
        pixels = batch["pixel_values"].to(device)
        for j, pv in enumerate((pixels, swap_images(pixels))):
            sums[j] += float(answer_loss(model, batch, pv))
        batches += 1
    return sums[0] / batches, sums[1] / batches
