"""In-context PIAA at real shot counts: the prompt must fit the LLM's context; the KV cache has a memory budget."""

from __future__ import annotations

import random

import pytest
import torch
from PIL import Image

from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.data.tasks.piaa import PIAATask
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.scoring.personal import PersonalScorer


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    return model.eval(), processor


def _images(n):
    return [Image.new("RGB", (32, 32), (5 * i % 255, 80, 200 - i % 150)) for i in range(n)]


def test_too_many_shots_for_the_context_is_a_clear_error(tiny):
    model, processor = tiny
    context = model.config.text_config.max_position_embeddings
    per_shot = model.config.image_seq_length
    k = context // per_shot + 5
    examples = [(im, 3.0) for im in _images(k)]
    with pytest.raises(ValueError, match=r"context.*at most \d+ shots fit"):
        PersonalScorer(model, processor, examples, (1.0, 5.0))


def test_queries_are_batched_within_the_kv_budget(tiny):
    model, processor = tiny
    examples = [(im, 1.0 + i % 5) for i, im in enumerate(_images(4))]
    queries = _images(6)
    reference = PersonalScorer(model, processor, examples, (1.0, 5.0), batch_size=6)
    per_row = reference.kv_bytes_per_query
    budgeted = PersonalScorer(model, processor, examples, (1.0, 5.0), batch_size=6, kv_cache_budget=2 * per_row)
    rows: list[int] = []
    hook = model.language_model.register_forward_pre_hook(
        lambda _m, _a, kw: rows.append(kw["inputs_embeds"].shape[0]), with_kwargs=True)
    try:
        got = budgeted.word_probabilities(queries)
    finally:
        hook.remove()
    assert max(rows) <= 2, f"forward batches {rows} exceed a budget of 2 queries' KV cache"
    torch.testing.assert_close(torch.as_tensor(got), torch.as_tensor(reference.word_probabilities(queries)),
                               atol=1e-5, rtol=0)


def test_piaa_training_uses_the_evaluated_shot_counts():
    records = [Record(id=f"r{i}", source="t", images=[f"{i}.jpg"], score=1.0 + i % 5, score_range=(1.0, 5.0),
                      user_id="u") for i in range(30)]
    task = PIAATask(shots=[10])
    task.bind(records)
    counts = {len(task.build(records[i], random.Random(i)).meta["shot_ids"]) for i in range(20)}
    assert counts == {10}
