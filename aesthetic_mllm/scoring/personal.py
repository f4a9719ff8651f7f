"""In-context personalization (``PersonalScorer``): a scorer whose prompt holds k of a user's rated examples.

The user's k (image, score) examples are laid out with the PIAA conversation of the prompt contract
(:func:`~aesthetic_mllm.contract.prompts.piaa_conversation`), rendered as training renders it and
cut before the rating word; the prompt is split just before the query image. The prefix (intro + every shot) runs through the model once and its KV cache is
kept; each query batch then runs only the suffix (query image tokens, end of turn, answer
prefix) on a copy of that cache, so the stored prefix is never mutated. The answer is read
like :class:`~aesthetic_mllm.scoring.AestheticScorer` reads it: rating-word probabilities ->
expected level -> the user's native range.

At real shot counts the prompt is checked against the LLM's context (the error says how many shots
fit), and query batches are split so their copies of the prefix's KV cache stay within
``kv_cache_budget`` bytes (default: half the free GPU memory; unbounded on CPU).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..contract.chat import answer_choices
from ..contract.levels import parse_range
from ..contract.prompts import piaa_conversation
from ..data.images import as_image
from .scorer import AestheticScorer

ImageLike = str | Path | Image.Image
Example = tuple[ImageLike, float]


def piaa_prompt_ids(processor, scores: Sequence[float], score_range: Sequence[float], words: Sequence[str],
                    system: str | None = None) -> tuple[list[int], list[int]]:
    """Token ids of the k-shot prompt up to the rating word (as PIAA training renders it) and the words' ids."""
    conversations = [piaa_conversation(scores, score_range, w, system=system) for w in words]
    return answer_choices(conversations, words, processor)


def kv_bytes_per_token(config, dtype: torch.dtype) -> int:
    """Bytes of KV cache one token takes in the LLM of ``config`` (keys and values, every layer)."""
    text = config.text_config
    heads = getattr(text, "num_key_value_heads", None) or text.num_attention_heads
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    return 2 * text.num_hidden_layers * heads * head_dim * torch.tensor([], dtype=dtype).element_size()


def _last_image_start(ids: Sequence[int], expansion: Sequence[int]) -> int:
    """Where the last image's expanded run starts in ``ids`` (the query image)."""
    width = len(expansion)
    for start in range(len(ids) - width, -1, -1):
        if list(ids[start:start + width]) == list(expansion):
            return start
    raise ValueError("the PIAA prompt holds no image placeholder for the query")


class PersonalScorer(AestheticScorer):
    """Scores images as one user would, from k of that user's rated examples given in context.

    ``score`` (inherited) returns :class:`~aesthetic_mllm.scoring.ScoreResult` in ``score_range``
    (the user's native range, which the examples' scores must lie in) with the word distribution.
    """

    def __init__(self, model, processor, examples: Sequence[Example], score_range=(1.0, 5.0),
                 words: Sequence[str] | None = None, batch_size: int | None = None, system: str | None = None,
                 kv_cache_budget: int | None = None):
        super().__init__(model, processor, score_range=score_range, words=words, batch_size=batch_size)
        lo, hi = self.range
        for image, score in examples:
            if not lo <= float(score) <= hi:
                raise ValueError(f"example {image}: score {score} is outside the score range {lo:g}-{hi:g}")
        self.examples = list(examples)
        scores = [s for _, s in examples]
        ids, self.word_ids = piaa_prompt_ids(processor, scores, self.range, self.words, system)
        self.text = processor.tokenizer.decode(ids, skip_special_tokens=False)  # for display and logs
        self._check_context(len(ids), len(piaa_prompt_ids(processor, [], self.range, self.words, system)[0]))
        self.kv_bytes_per_query = (len(ids) + 1) * kv_bytes_per_token(self.model.config, self._dtype)
        self.kv_cache_budget = kv_cache_budget if kv_cache_budget is not None else self._default_budget()
        cut = _last_image_start(ids, processor.image_expansion)
        self.prefix_ids = torch.tensor([ids[:cut]], dtype=torch.long)
        self.suffix_ids = torch.tensor([ids[cut:]], dtype=torch.long)
        self.shot_images = [as_image(image) for image, _ in examples]
        self.prefix_cache = self._encode_prefix()

    @classmethod
    def from_pretrained(cls, path: str | Path, examples: Sequence[Example] = (), score_range=(1.0, 5.0),
                        **kwargs) -> PersonalScorer:
        """Load a saved model dir (or base + PEFT adapter dir; ``device``/``dtype`` as for
        ``AestheticScorer.from_pretrained``) and cache the examples' prefix."""
        return super().from_pretrained(path, score_range=parse_range(score_range), examples=list(examples), **kwargs)

    @property
    def _dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    def _check_context(self, length: int, zero_shot_length: int) -> None:
        """Raise when the prompt (plus the rating word) exceeds the LLM's context, saying how many shots fit."""
        context = getattr(self.model.config.text_config, "max_position_embeddings", None)
        k = len(self.examples)
        if context is None or length + 1 <= context:
            return
        per_shot = (length - zero_shot_length) / max(k, 1)
        fit = max(0, int((context - 1 - zero_shot_length) // per_shot)) if per_shot > 0 else 0
        raise ValueError(f"{k} shots make a {length + 1}-token prompt but the LLM's context is {context} tokens: "
                         f"at most {fit} shots fit (each takes ~{per_shot:.0f} tokens with its image)")

    def _default_budget(self) -> int | None:
        """Half the free memory of the model's GPU; None (no cap) on CPU."""
        if self.device.type != "cuda":
            return None
        free, _ = torch.cuda.mem_get_info(self.device)
        return free // 2

    @property
    def rows_per_forward(self) -> int:
        """Queries per forward pass: ``batch_size``, capped by the KV-cache budget (at least 1)."""
        if self.kv_cache_budget is None:
            return self.batch_size
        return max(1, min(self.batch_size, self.kv_cache_budget // self.kv_bytes_per_query))

    @property
    def prefix_length(self) -> int:
        """Tokens in the cached prefix (image tokens expanded)."""
        return int(self.prefix_ids.shape[1])

    def _shot_pixels(self) -> torch.Tensor | None:
        return self.processor.preprocess_images(self.shot_images) if self.shot_images else None

    @torch.no_grad()
    def _encode_prefix(self):
        pixels = self._shot_pixels()
        out = self.model(input_ids=self.prefix_ids.to(self.device),
                         pixel_values=None if pixels is None else pixels.to(self.device),
                         attention_mask=torch.ones_like(self.prefix_ids, device=self.device),
                         use_cache=True, logits_to_keep=1)
        return out.cache

    def fork_cache(self, batch_size: int):
        """A private copy of the prefix cache, repeated for ``batch_size`` queries (the stored one is untouched)."""
        cache = copy.deepcopy(self.prefix_cache)
        if batch_size > 1:
            cache.batch_repeat_interleave(batch_size)
        return cache

    def _readout(self, logits: torch.Tensor) -> np.ndarray:
        return torch.softmax(logits[:, -1, self.word_ids].float(), dim=-1).cpu().numpy()

    def word_probabilities(self, images: Sequence[Image.Image], use_cache: bool = True) -> np.ndarray:
        """(images, words) probabilities; ``use_cache=False`` runs the whole prompt (the reference path).

        Runs ``rows_per_forward`` queries at a time, so their KV-cache copies stay within the budget.
        """
        step = self.rows_per_forward
        chunks = [self._word_probabilities(images[i:i + step], use_cache) for i in range(0, len(images), step)]
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.words)))

    @torch.no_grad()
    def _word_probabilities(self, images: Sequence[Image.Image], use_cache: bool) -> np.ndarray:
        n = len(images)
        query_pixels = self.processor.preprocess_images(list(images))
        if use_cache:
            ids = self.suffix_ids.expand(n, -1)
            pixels, cache = query_pixels, self.fork_cache(n)
            mask = torch.ones((n, self.prefix_length + ids.shape[1]), dtype=torch.long)
        else:
            ids = torch.cat([self.prefix_ids, self.suffix_ids], dim=1).expand(n, -1)
            shots = self._shot_pixels()
            # images are consumed in prompt order across the batch: each row's shots, then its query
            pixels = query_pixels if shots is None else torch.cat(
                [torch.cat([shots, q[None]]) for q in query_pixels])
            cache, mask = None, torch.ones_like(ids)
        logits = self.model(input_ids=ids.to(self.device), pixel_values=pixels.to(self.device),
                            attention_mask=mask.to(self.device), cache=cache,
                            use_cache=use_cache, logits_to_keep=1).logits
        return self._readout(logits)
