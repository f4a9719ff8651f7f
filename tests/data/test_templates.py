"""Label masking from chat-template offsets: only assistant answers (and their end-of-turn) are labelled."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402

from aesthetic_mllm.contract.chat import IGNORE_INDEX, SampleTooLongError, render_and_mask  # noqa: E402
from aesthetic_mllm.data.schema import Record  # noqa: E402
from aesthetic_mllm.data.tasks.piaa import PIAATask  # noqa: E402
from aesthetic_mllm.model.loading import from_preset  # noqa: E402

END_OF_TURN = {"chatml": "<|im_end|>", "llama": "<|endoftext|>"}


@pytest.fixture(scope="module", params=["chatml", "llama"])
def template_processor(request):
    return request.param, from_preset("tiny", template=request.param)[1]


def labelled_runs(encoded, tokenizer) -> list[str]:
    """Decoded text of each contiguous run of labelled tokens."""
    runs, current = [], []
    for tid, label in zip(encoded.input_ids, encoded.labels, strict=True):
        if label == IGNORE_INDEX:
            if current:
                runs.append(current)
            current = []
        else:
            assert label == tid
            current.append(tid)
    if current:
        runs.append(current)
    return [tokenizer.decode(run) for run in runs]


def answers(conversation) -> list[str]:
    return [m["content"] for m in conversation if m["role"] == "assistant"]


def assert_only_answers_labelled(conversation, encoded, template, tokenizer):
    runs = labelled_runs(encoded, tokenizer)
    assert [r.strip() for r in runs] == [a + END_OF_TURN[template] for a in answers(conversation)]


CONVERSATION = [
    {"role": "system", "content": "You are a photo critic."},
    {"role": "user", "content": "<image>\nRate this photo."},
    {"role": "assistant", "content": "The aesthetic quality of this photo is good."},
    {"role": "user", "content": 'Now repeat "Nice light." and nothing else.'},
    {"role": "assistant", "content": "Nice light."},
]


def test_only_answers_and_end_of_turn_are_labelled(template_processor):
    template, processor = template_processor
    encoded = render_and_mask(CONVERSATION, processor)
    assert len(encoded.labels) == len(encoded.input_ids)
    assert encoded.num_images == 1
    assert_only_answers_labelled(CONVERSATION, encoded, template, processor.tokenizer)


def test_answer_quoted_in_the_prompt_is_not_labelled(template_processor):
    """The answer text also occurs in the user turn; only the assistant's copy is labelled."""
    template, processor = template_processor
    encoded = render_and_mask(CONVERSATION, processor)
    runs = labelled_runs(encoded, processor.tokenizer)
    assert sum("Nice light." in r for r in runs) == 1


def test_image_runs_are_expanded_and_unlabelled(template_processor):
    _, processor = template_processor
    encoded = render_and_mask(CONVERSATION, processor)
    expansion = processor.image_expansion
    start = encoded.input_ids.index(expansion[0])
    assert encoded.input_ids[start : start + len(expansion)] == expansion
    assert all(label == IGNORE_INDEX for label in encoded.labels[start : start + len(expansion)])


def _piaa_sample():
    recs = [Record(id=f"r{i}", source="t", images=[f"img{i}.jpg"], score=s, score_range=(1.0, 5.0), user_id="u1")
            for i, s in enumerate([3.5, 2.0, 4.5, 1.5])]
    return PIAATask().build_from_shots(recs[:3], recs[3])


def test_multi_image_piaa_prompt_labels_only_the_query_score(template_processor):
    template, processor = template_processor
    sample = _piaa_sample()
    encoded = render_and_mask(sample.conversation, processor)
    assert encoded.num_images == len(sample.images) == 4
    low = processor.level_token_ids[0]
    assert encoded.input_ids.count(low) == 4
    assert_only_answers_labelled(sample.conversation, encoded, template, processor.tokenizer)
    assert labelled_runs(encoded, processor.tokenizer)[0].strip().startswith("The aesthetic quality of this photo is poor.")


def test_conversation_without_answer_has_no_labels(template_processor):
    _, processor = template_processor
    encoded = render_and_mask([{"role": "user", "content": "<image>\nRate this photo."}], processor)
    assert set(encoded.labels) == {IGNORE_INDEX}


def test_truncation_keeps_image_runs_whole(template_processor):
    _, processor = template_processor
    full = render_and_mask(CONVERSATION, processor)
    last_image = max(i for i, t in enumerate(full.input_ids) if t in set(processor.image_expansion))
    with pytest.raises(SampleTooLongError, match="image"):
        render_and_mask(CONVERSATION, processor, max_length=last_image)
    cut = render_and_mask(CONVERSATION, processor, max_length=len(full.input_ids) - 3)
    assert cut.input_ids == full.input_ids[: len(cut.input_ids)]
    assert cut.labels == full.labels[: len(cut.labels)]


def test_truncation_that_drops_every_answer_is_an_error(template_processor):
    _, processor = template_processor
    full = render_and_mask(CONVERSATION, processor)
    first_label = next(i for i, label in enumerate(full.labels) if label != IGNORE_INDEX)
    with pytest.raises(SampleTooLongError, match="answer"):
        render_and_mask(CONVERSATION, processor, max_length=first_label)


def test_images_in_assistant_turns_are_rejected(template_processor):
    _, processor = template_processor
    bad = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "<image>"}]
    with pytest.raises(ValueError, match="user turns"):
        render_and_mask(bad, processor)
    with pytest.raises(ValueError, match="role"):
        render_and_mask([{"role": "bot", "content": "x"}], processor)
