"""Batching: pad text, stack every image of the batch in prompt order; the padding a batch order wastes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from ..contract.chat import IGNORE_INDEX
from ..padding import pad_rows

if TYPE_CHECKING:
    from ..model.processor import AestheticProcessor


def _as_list(values: Any) -> list[int]:
    return values.tolist() if isinstance(values, torch.Tensor) else list(values)


class MultimodalCollator:
    """Collate dataset items (``input_ids``, optional ``labels``, ``pixel_values`` or ``images``,
    ``soft_target`` with its ``soft_position``) into a right-padded batch.

    ``pixel_values`` of all items are concatenated in item order (each item's images are already in
    prompt order); items without images add none, and a batch without images has no
    ``pixel_values`` key. ``soft_targets`` (batch x words) is present when any item has a
    ``soft_target``; rows of zeros mark items without one, and ``soft_positions`` (batch) holds the
    index of each row's rating-word token (-1 without one). Neither is a model input: the trainer
    pops it before calling the model, as it does ``sample_ids``, ``skipped_samples`` (the error
    types of samples skipped to fill the batch) and the ``image_*`` fields
    (one row per image, concatenated in image order; integer rows padded with the pad id).
    """

    def __init__(self, processor: AestheticProcessor, pad_to_multiple_of: int | None = None, ignore_index: int = IGNORE_INDEX):
        self.processor = processor
        self.pad_to_multiple_of = pad_to_multiple_of
        self.ignore_index = ignore_index

    def _width(self, longest: int) -> int:
        m = self.pad_to_multiple_of
        return longest if not m else -(-longest // m) * m

    def _pixels(self, features: Sequence[dict[str, Any]]) -> torch.Tensor | None:
        chunks = []
        for f in features:
            if f.get("pixel_values") is not None and len(f["pixel_values"]):
                chunks.append(f["pixel_values"])
            elif f.get("images"):
                chunks.append(self.processor.preprocess_images(f["images"]))
        return torch.cat(chunks) if chunks else None

    @staticmethod
    def _soft_targets(features: Sequence[dict[str, Any]]) -> torch.Tensor | None:
        targets = [f.get("soft_target") for f in features]
        sizes = {len(t) for t in targets if t is not None}
        if not sizes:
            return None
        if len(sizes) > 1:
            raise ValueError(f"soft targets of different sizes {sorted(sizes)} in one batch")
        out = torch.zeros(len(features), sizes.pop(), dtype=torch.float)
        for row, target in enumerate(targets):
            if target is not None:
                out[row] = torch.as_tensor(target, dtype=torch.float)
        return out

    def __call__(self, features: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        ids = [_as_list(f["input_ids"]) for f in features]
        width = self._width(max(len(s) for s in ids))
        input_ids, mask = pad_rows(ids, self.processor.tokenizer.pad_token_id, width)
        batch = {"input_ids": input_ids, "attention_mask": mask}
        has_labels = any("labels" in f for f in features)
        if has_labels and not all("labels" in f for f in features):
            raise ValueError("some items have labels and some do not; collate training and prompt-only items apart")
        if has_labels:
            batch["labels"] = pad_rows([_as_list(f["labels"]) for f in features], self.ignore_index, width)[0]
        pixels = self._pixels(features)
        if pixels is not None:
            batch["pixel_values"] = pixels
        soft = self._soft_targets(features)
        if soft is not None:
            batch["soft_targets"] = soft
            batch["soft_positions"] = torch.tensor([int(f.get("soft_position", -1)) for f in features])
        if any("skipped" in f for f in features):
            batch["skipped_samples"] = [name for f in features for name in f.get("skipped", ())]
        if all("sample_id" in f for f in features):
            batch["sample_ids"] = torch.tensor([int(f["sample_id"]) for f in features], dtype=torch.long)
        for key in sorted({k for f in features for k in f if k.startswith("image_")}):
            batch[key] = self._per_image(features, key)
        return batch

    def _per_image(self, features: Sequence[dict[str, Any]], key: str) -> torch.Tensor:
        """Concatenate an ``image_*`` field over items; integer rows are right-padded on their last axis (pad id)."""
        rows = [f[key] for f in features if f.get(key) is not None and len(f[key])]
        if rows and not rows[0].is_floating_point():
            width = max(r.shape[-1] for r in rows)
            pad = self.processor.tokenizer.pad_token_id
            rows = [torch.nn.functional.pad(r, (0, width - r.shape[-1]), value=pad) for r in rows]
        return torch.cat(rows)


def padding_waste(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    """Fraction of padded positions when each batch (a list of indices) is padded to its longest item."""
    padded = sum(max(lengths[i] for i in b) * len(b) for b in batches if b)
    real = sum(lengths[i] for b in batches for i in b)
    return 1.0 - real / padded if padded else 0.0
