"""One prompt contract: the scorers' prompts are the training prompts, token for token, up to the rating word.

Checked with real tokenizers (SentencePiece 32k, byte-level BPE 151k) under the real chat templates of
Llama-2, Mistral, Llama-3 and Qwen2, and with the offline tiny tokenizer under both of its templates.
"""

from __future__ import annotations

import random

import pytest

from aesthetic_mllm.contract.chat import rating_word_ids, render_and_mask
from aesthetic_mllm.contract.prompts import SCORE_QUESTION
from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.data.tasks.piaa import PIAATask
from aesthetic_mllm.data.tasks.scoring import ScoringTask
from aesthetic_mllm.scoring.scorer import AestheticScorer

from .conftest import REAL_TEMPLATES, tiny_model_for

KINDS = (*REAL_TEMPLATES, "tiny-llama", "tiny-chatml")


@pytest.fixture(scope="module", params=KINDS)
def composed(request, real_tokenizer):
    if request.param.startswith("tiny-"):
        from aesthetic_mllm.model.loading import from_preset

        model, processor = from_preset("tiny", template=request.param.split("-")[1])
        return request.param, model.eval(), processor
    return (request.param, *tiny_model_for(real_tokenizer(request.param)))


def _scored(word_index: int, words, user: str | None = None, idx: int = 0) -> Record:
    level = len(words) - word_index  # words are best first; level 5 = the first word
    return Record(id=f"r{idx}", source="t", images=[f"img{idx}.jpg"], score=float(level), score_range=(1.0, 5.0),
                  user_id=user)


def test_scorer_prompt_equals_the_training_prompt_up_to_the_rating_word(composed):
    kind, model, processor = composed
    scorer = AestheticScorer(model, processor)
    task = ScoringTask(questions=[SCORE_QUESTION])
    n = len(scorer.prompt_ids)
    for i, word in enumerate(scorer.words):
        sample = task.build(_scored(i, scorer.words), random.Random(0))
        assert sample.meta["word"] == word
        encoded = render_and_mask(sample.conversation, processor)
        assert encoded.input_ids[:n] == scorer.prompt_ids, f"{kind}: the scoring prompt differs from training"
        assert encoded.input_ids[n] == scorer.word_ids[i], f"{kind}: {word!r} is not the next training token"
        assert encoded.labels[n] == encoded.input_ids[n], f"{kind}: the rating word is not a trained token"


def test_training_rating_word_ids_are_the_in_context_ids(composed):
    """The ids the trainer puts the soft target on are the ids the scorer reads (found in context)."""
    kind, model, processor = composed
    scorer = AestheticScorer(model, processor)
    assert rating_word_ids(processor, scorer.words) == scorer.word_ids, kind


def test_personal_scorer_prompt_equals_the_piaa_training_prompt(composed, photos):
    from aesthetic_mllm.scoring.personal import PersonalScorer

    kind, model, processor = composed
    words = list(model.config.rating_words)
    shots = [_scored(j % len(words), words, user="u", idx=j) for j in range(3)]
    scorer = PersonalScorer(model, processor, [(photos[j], s.score) for j, s in enumerate(shots)], (1.0, 5.0))
    prompt = scorer.prefix_ids[0].tolist() + scorer.suffix_ids[0].tolist()
    for i, word in enumerate(words):
        query = _scored(i, words, user="u", idx=9)
        encoded = render_and_mask(PIAATask().build_from_shots(shots, query).conversation, processor)
        n = len(prompt)
        assert encoded.input_ids[:n] == prompt, f"{kind}: the in-context prompt differs from PIAA training"
        assert encoded.input_ids[n] == scorer.word_ids[i], f"{kind}: {word!r} is not the next training token"
