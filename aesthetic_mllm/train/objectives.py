"""Stage-1 objective: per-level pseudo-label prediction, cue contrastive alignment, LM loss, pair ranking,
image contrast.

``Stage1Objective`` wraps the MLLM with small heads so DDP/DeepSpeed see one module whose
``forward`` computes every loss; ``Stage1Targets`` adds the per-image targets to dataset items.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import torch
from PIL import Image
from torch import nn

from ..config import SSLConfig
from ..data.tasks import Sample
from ..padding import pad_rows
from .losses import contrast_pairs, image_contrast_loss, info_nce

SSL_LEVELS = ("low", "middle")  # levels with pixel pseudo-labels (high/thematic come from tags)


class Stage1Targets:
    """Dataset ``extras``: per image, its pseudo-label vector and one cue text per level (token ids).

    Targets describe the pixels actually shown (the edited image of a pair has its own). Each image's
    pseudo-labels are computed once, at the one resolution of ``compute_attributes``: attributes the
    task already computed for an image (``meta["image_attributes"]``) are reused, not recomputed.
    ``image_cue_ids`` is (images, levels, tokens), padded on the token axis only, so the collator's
    padding never moves one level's cue into another's.

    With ``rank`` on, ``image_rank`` gives each image its place in a ranked pair: +1 for the
    original of a pair sample (``compare``, ``what_changed``) whose edit is in ``rank_edits``
    (None: any edit), -1 for its edited version, 0 for every other image.
    """

    def __init__(self, tokenizer, max_cue_tokens: int = 48, seed: int = 0, rank: bool = False,
                 rank_edits: Sequence[str] | None = None):
        from ..data import perturb, pseudo_labels

        self.tokenizer, self.max_cue_tokens, self.seed = tokenizer, max_cue_tokens, seed
        self.names = {lv: list(pseudo_labels.LEVEL_ATTRIBUTES[lv]) for lv in SSL_LEVELS}
        unknown = sorted(set(rank_edits or ()) - set(perturb.EDITS))
        if unknown:
            raise ValueError(f"ssl.rank_edits: unknown edits {unknown}; choose from {sorted(perturb.EDITS)}")
        self.rank = rank
        self.rank_edits = None if rank_edits is None else frozenset(rank_edits)

    def rank_roles(self, sample: Sample, num_images: int) -> list[float]:
        """Each image's place in a ranked pair: +1 the better, -1 the worse, 0 unranked."""
        meta = sample.meta
        if "original" not in meta or num_images != 2 or (
                self.rank_edits is not None and meta.get("edit") not in self.rank_edits):
            return [0.0] * num_images
        return [1.0 if i == meta["original"] else -1.0 for i in range(2)]

    def __call__(self, sample: Sample, images: list[Image.Image]) -> dict[str, Any]:
        from ..data.cues import describe_attributes
        from ..data.pseudo_labels import compute_attributes

        if not images:
            return {}
        names = [n for lv in SSL_LEVELS for n in self.names[lv]]
        known = list(sample.meta.get("image_attributes") or [])
        known += [None] * (len(images) - len(known))
        vectors, cue_rows = [], []
        rng = random.Random(f"{self.seed}:{sample.conversation[-1]['content']}")
        for image, attrs in zip(images, known, strict=True):
            if attrs is None or not all(n in attrs for n in names):
                attrs = compute_attributes(image)
            vectors.append([attrs[n] for n in names])
            for lv in SSL_LEVELS:
                text = describe_attributes(attrs, lv, rng.randrange(2**31))
                ids = self.tokenizer(text, add_special_tokens=False)["input_ids"][: self.max_cue_tokens]
                cue_rows.append(ids or [self.tokenizer.pad_token_id])
        cues, _ = pad_rows(cue_rows, self.tokenizer.pad_token_id)
        extras = {"image_attr_targets": torch.tensor(vectors, dtype=torch.float),
                  "image_cue_ids": cues.view(len(images), len(SSL_LEVELS), -1)}
        if self.rank:
            extras["image_rank"] = torch.tensor(self.rank_roles(sample, len(images)), dtype=torch.float)
        return extras


class Stage1Objective(nn.Module):
    """The MLLM plus stage-1 heads; ``forward`` returns the weighted loss and its parts."""

    def __init__(self, model: nn.Module, num_attributes: dict[str, int], cfg: SSLConfig):
        super().__init__()
        self.model, self.cfg = model, cfg
        mfa_dim = model.config.mfa_hidden_size
        text_dim = model.config.text_config.hidden_size
        self.num_attributes = dict(num_attributes)
        self.attribute_heads = nn.ModuleDict({lv: nn.Linear(mfa_dim, n) for lv, n in num_attributes.items()})
        self.cue_projections = nn.ModuleDict({lv: nn.Linear(text_dim, mfa_dim) for lv in num_attributes})
        if cfg.rank_loss > 0:  # built only when used, so runs without it draw the same init
            self.rank_head = nn.Linear(mfa_dim, 1)

    def rank_scores(self, mfa_out) -> torch.Tensor:
        """One scalar per image from the mean of every level's query states (the ranking head)."""
        states = torch.stack([q.mean(1) for q in mfa_out.queries.values()]).mean(0)
        return self.rank_head(states).squeeze(-1).float()

    def _cue_embeddings(self, cue_ids: torch.Tensor, level_index: int) -> torch.Tensor:
        """Mean token embedding of each image's cue for one level; ``cue_ids`` is (images, levels, tokens)."""
        if cue_ids.dim() != 3 or cue_ids.shape[1] != len(self.num_attributes):
            raise ValueError(f"image_cue_ids must be (images, {len(self.num_attributes)} levels, tokens), "
                             f"got {tuple(cue_ids.shape)}")
        ids = cue_ids[:, level_index]
        pad = self.model.config.text_config.pad_token_id
        mask = (ids != pad).unsqueeze(-1).float()
        embeds = self.model.get_input_embeddings()(ids).float()
        return (embeds * mask).sum(1) / mask.sum(1).clamp(min=1)

    def _image_contrast(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor,
                        pixel_values: torch.Tensor, mfa_out, logits: torch.Tensor) -> torch.Tensor | None:
        """``image_contrast_loss`` of the batch's single-image answers, the swapped rows reusing the encoded
        images (one more LLM pass); None when the batch has no such pair."""
        config = self.model.config
        rows, _, partners = contrast_pairs(input_ids, labels, None, config.image_token_id, config.num_image_features)
        if not len(rows):
            return None
        embeds = self.model.embed_inputs(input_ids[rows], pixel_values[partners], mfa_output=mfa_out.select(partners))
        swapped = self.model.language_model(inputs_embeds=embeds, attention_mask=attention_mask[rows]).logits
        return image_contrast_loss(logits[rows], swapped, labels[rows])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor | None = None,
                pixel_values: torch.Tensor | None = None, image_attr_targets: torch.Tensor | None = None,
                image_cue_ids: torch.Tensor | None = None,
                image_rank: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        cfg = self.cfg
        parts: dict[str, torch.Tensor] = {}
        mfa_out = self.model.encode_images(pixel_values) if pixel_values is not None else None
        if cfg.lm_loss > 0 and labels is not None:
            embeds = self.model.embed_inputs(input_ids, pixel_values, mfa_output=mfa_out)
            lm = self.model.language_model(inputs_embeds=embeds, attention_mask=attention_mask, labels=labels)
            parts["lm_loss"] = lm.loss
            if cfg.image_contrast_loss > 0 and mfa_out is not None:
                contrast = self._image_contrast(input_ids, attention_mask, labels, pixel_values, mfa_out, lm.logits)
                if contrast is not None:
                    parts["image_contrast_loss"] = contrast
        if mfa_out is not None and image_attr_targets is not None and cfg.attribute_loss > 0:
            start, losses = 0, []
            for lv, n in self.num_attributes.items():
                pred = self.attribute_heads[lv](mfa_out.queries[lv].mean(1)).sigmoid()
                losses.append(nn.functional.mse_loss(pred.float(), image_attr_targets[:, start : start + n]))
                start += n
            parts["attribute_loss"] = torch.stack(losses).mean()
        if mfa_out is not None and image_cue_ids is not None and cfg.contrastive_loss > 0 and len(image_cue_ids) > 1:
            losses = [info_nce(mfa_out.queries[lv].mean(1), self.cue_projections[lv](self._cue_embeddings(image_cue_ids, i)),
                               cfg.contrastive_temperature) for i, lv in enumerate(self.num_attributes)]
            parts["contrastive_loss"] = torch.stack(losses).mean()
        if mfa_out is not None and image_rank is not None and cfg.rank_loss > 0:
            scores = self.rank_scores(mfa_out)
            better, worse = scores[image_rank > 0], scores[image_rank < 0]
            # a batch without ranked pairs still touches the head (zero loss), as DDP requires
            parts["rank_loss"] = (nn.functional.softplus(worse - better).mean() if len(better)
                                  else scores.sum() * 0.0)
        weights = {"lm_loss": cfg.lm_loss, "attribute_loss": cfg.attribute_loss,
                   "contrastive_loss": cfg.contrastive_loss, "rank_loss": cfg.rank_loss,
                   "image_contrast_loss": cfg.image_contrast_loss}
        if not parts:
            raise ValueError("every stage-1 loss is switched off or has no inputs in this batch")
        loss = sum(weights[k] * v for k, v in parts.items())
        return {"loss": loss, **{k: v.detach() for k, v in parts.items()}}
