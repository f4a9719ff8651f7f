"""``AestheticScorer``: scores (rating-word probabilities -> the declared native range), comments, advice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..contract.chat import answer_choices, generation_prompt_ids
from ..contract.levels import RATING_WORDS, expected_level, level_to_score, parse_range
from ..contract.prompts import (
    COMMENT_QUESTIONS,
    SCORE_QUESTION,
    SUGGEST_QUESTIONS,
    scoring_conversation,
    single_turn,
)
from ..data.images import as_image
from ..model.loading import load_model
from .inference import default_batch_size, default_device, default_dtype, last_logits

ImageInput = str | Path | Image.Image


@dataclass
class ScoreResult:
    """One image's score in ``range`` and the distribution over the rating words."""

    image: str
    score: float
    range: tuple[float, float]
    distribution: dict[str, float]

    def to_dict(self) -> dict:
        return {"image": self.image, "score": self.score, "range": list(self.range), "distribution": self.distribution}


def image_name(item: ImageInput) -> str:
    return "<PIL image>" if isinstance(item, Image.Image) else str(item)


class AestheticScorer:
    """Scores images by one forward pass per batch (no generation); comments and advice by greedy decoding.

    Prompts are cut from the training render of the task's own conversation (the prompt contract):
    the scoring prompt is every token before the rating word, whose ids are read in context.

    Scoring: every prompt of a batch is the same text around a different image, so the text before
    the first image is encoded once per batch and its KV cache reused by every row
    (:func:`~aesthetic_mllm.scoring.inference.last_logits`); the score is the probability-weighted
    rating level mapped to ``score_range``. ``batch_size`` defaults to 64 on a GPU, 16 on CPU.
    """

    def __init__(self, model, processor, score_range=(1.0, 5.0), words: Sequence[str] | None = None,
                 batch_size: int | None = None, max_new_tokens: int = 64):
        self.model = model.eval()
        self.processor = processor
        self.range = parse_range(score_range)
        cfg = getattr(model, "config", None)
        self.words = list(words or getattr(cfg, "rating_words", None) or RATING_WORDS)
        self.batch_size = batch_size or default_batch_size(self.device)
        self.max_new_tokens = max_new_tokens
        self.image_ids = sorted(set(processor.image_expansion))
        self.prompt_ids, self.word_ids = answer_choices(
            [scoring_conversation(w, SCORE_QUESTION) for w in self.words], self.words, processor)

    @classmethod
    def from_pretrained(cls, path: str | Path, score_range=(1.0, 5.0), device: str | torch.device | None = None,
                        dtype: str | None = None, **kwargs) -> AestheticScorer:
        """Load a saved model dir (or base + PEFT adapter dir) onto ``device`` (default cuda if available)
        in ``dtype`` (default bfloat16 on GPU, float32 on CPU)."""
        device = torch.device(device) if device is not None else default_device()
        model, processor = load_model(path, dtype=dtype or default_dtype(device))
        return cls(model.to(device), processor, score_range=score_range, **kwargs)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def prompt_for(self, question: str) -> list[int]:
        """Token ids (images expanded) asking ``question`` about one image, as the training task renders it."""
        return generation_prompt_ids(single_turn(question, None), self.processor)

    def _batches(self, images: Iterable[ImageInput], progress: bool, desc: str):
        from tqdm.auto import tqdm

        items = list(images)
        for start in tqdm(range(0, len(items), self.batch_size), disable=not progress, desc=desc, unit="batch"):
            chunk = items[start : start + self.batch_size]
            yield chunk, [as_image(im) for im in chunk]

    @torch.no_grad()
    def word_probabilities(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(images, words) probabilities, renormalised over the rating words."""
        batch = self.processor.pad([self.prompt_ids] * len(images), padding_side="left")
        batch["pixel_values"] = self.processor.preprocess_images(images)
        batch = {k: v.to(self.device) for k, v in batch.items()}
        logits = last_logits(self.model, batch["input_ids"], batch["pixel_values"], batch["attention_mask"],
                             image_ids=self.image_ids)
        return torch.softmax(logits[:, self.word_ids].float(), dim=-1).cpu().numpy()

    def score(self, images: Iterable[ImageInput], progress: bool = False,
              score_range: Sequence[float] | None = None) -> list[ScoreResult]:
        """Score paths or PIL images (in ``score_range``, default the scorer's); bad files raise a DataError."""
        rng = parse_range(score_range) if score_range is not None else self.range
        results: list[ScoreResult] = []
        for chunk, pil in self._batches(images, progress, "scoring"):
            probs = self.word_probabilities(pil)
            for item, p, level in zip(chunk, probs, expected_level(probs), strict=True):
                results.append(ScoreResult(image_name(item), float(level_to_score(level, rng, len(self.words))), rng,
                                           dict(zip(self.words, map(float, p), strict=True))))
        return results

    @torch.no_grad()
    def generate(self, images: Iterable[ImageInput], question: str, progress: bool = False,
                 max_new_tokens: int | None = None) -> list[str]:
        """Greedy answers to ``question`` about each image (batched, left padding)."""
        prompt = self.prompt_for(question)
        tokenizer = self.processor.tokenizer
        texts: list[str] = []
        for _, pil in self._batches(images, progress, "generating"):
            batch = self.processor.pad([prompt] * len(pil), padding_side="left")
            batch["pixel_values"] = self.processor.preprocess_images(pil)
            batch = {k: v.to(self.device) for k, v in batch.items()}
            new = self.model.generate(**batch, max_new_tokens=max_new_tokens or self.max_new_tokens, do_sample=False,
                                      eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
            texts += [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
        return texts

    def comment(self, images: Iterable[ImageInput], progress: bool = False,
                max_new_tokens: int | None = None) -> list[str]:
        """An aesthetic critique of each image (the commenting task's question)."""
        return self.generate(images, COMMENT_QUESTIONS[0], progress, max_new_tokens)

    def suggest(self, images: Iterable[ImageInput], progress: bool = False,
                max_new_tokens: int | None = None) -> list[str]:
        """Improvement advice for each image (the suggesting task's question)."""
        return self.generate(images, SUGGEST_QUESTIONS[0], progress, max_new_tokens)
