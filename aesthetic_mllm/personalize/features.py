"""Scoring-prompt embeddings computed once, for fitting and evaluating LLM-side adapters quickly.

Task-vector personalization only changes the LLM, so the vision tower and MFA outputs of a
user's images never change: :class:`ScoringInputs` runs them once (with the scorer's own
prompt) and then scores under any LLM adaptation by one LLM forward, differentiably if asked.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..contract.levels import expected_level
from ..data.images import as_image
from ..scoring.scorer import AestheticScorer


class ScoringInputs:
    """LLM input embeddings of ``scorer``'s scoring prompt (``prompt_ids``) for a fixed list of images."""

    def __init__(self, scorer: AestheticScorer, images: Sequence[str | Path | Image.Image], batch_size: int = 16):
        self.model, self.word_ids = scorer.model, list(scorer.word_ids)
        embeds, masks = [], []
        with torch.no_grad():
            for start in range(0, len(images), batch_size):
                chunk = [as_image(im) for im in images[start:start + batch_size]]
                batch = scorer.processor.pad([scorer.prompt_ids] * len(chunk), padding_side="left")
                pixels = scorer.processor.preprocess_images(chunk).to(scorer.device)
                embeds.append(self.model.embed_inputs(batch["input_ids"].to(scorer.device), pixels))
                masks.append(batch["attention_mask"].to(scorer.device))
        self.embeds, self.attention_mask = torch.cat(embeds), torch.cat(masks)

    def __len__(self) -> int:
        return int(self.embeds.shape[0])

    def subset(self, indices: Sequence[int] | np.ndarray) -> ScoringInputs:
        """The same inputs restricted to some images (no recomputation)."""
        view = copy.copy(self)
        idx = torch.as_tensor(np.asarray(indices), dtype=torch.long)
        view.embeds, view.attention_mask = self.embeds[idx], self.attention_mask[idx]
        return view

    def levels(self, indices: Sequence[int] | np.ndarray | None = None, grad: bool = False) -> torch.Tensor:
        """Expected rating level (1 = worst word) of the selected images under the model's current adaptation."""
        idx = slice(None) if indices is None else torch.as_tensor(np.asarray(indices), dtype=torch.long)
        with torch.set_grad_enabled(grad):
            logits = self.model.language_model(inputs_embeds=self.embeds[idx], attention_mask=self.attention_mask[idx],
                                               logits_to_keep=1).logits[:, -1, self.word_ids]
            return expected_level(torch.softmax(logits.float(), dim=-1))
