"""The soft rating-word target lands on the rating word's token, found in context; never skipped silently."""

from __future__ import annotations

import pytest
import torch

from aesthetic_mllm.contract.chat import RatingWordNotFoundError, render_and_mask
from aesthetic_mllm.data.dataset import TaskDataset
from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.train.losses import soft_label_lm_loss

WORDS = ["excellent", "good", "fair", "poor", "bad"]


def _records(tmp_path, photos):
    paths = []
    for i, photo in enumerate(photos[:2]):
        paths.append(tmp_path / f"p{i}.jpg")
        photo.resize((64, 64)).save(paths[-1])
    return [Record(id=f"r{i}", source="t", images=[str(p)], histogram=[1, 2, 3, 2, 1], score_range=(1.0, 5.0))
            for i, p in enumerate(paths)]


def _word_ids_in_context(processor, sample, pos):
    """Each word's token at ``pos`` when the same sample is rendered with that word instead."""
    out = []
    for w in WORDS:
        conversation = [dict(m) for m in sample.conversation]
        conversation[-1]["content"] = conversation[-1]["content"].replace(sample.meta["word"], w)
        out.append(render_and_mask(conversation, processor).input_ids[pos])
    return out


@pytest.mark.parametrize("template", ["chatml", "llama"])
@pytest.mark.parametrize("answer_template", ["The aesthetic quality of this photo is {word}.", "{word}"])
def test_soft_target_is_trained_at_the_rating_word(tmp_path, photos, template, answer_template):
    _, processor = from_preset("tiny", template=template)
    ds = TaskDataset(_records(tmp_path, photos), {"scoring": 1.0}, processor, 256,
                     task_options={"scoring": {"answer_template": answer_template}})
    item, sample = ds[0], ds.sample(0)
    ids, labels = item["input_ids"], item["labels"]
    # the rating word's token, located independently from the rendered text's character offsets
    text = processor.apply_chat_template(sample.conversation)
    enc = processor.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    lead = answer_template.split("{word}")[0]
    answer_at = text.rindex(lead + sample.meta["word"]) + len(lead)
    raw_pos = next(t for t, (s, e) in enumerate(enc["offset_mapping"]) if s <= answer_at < e)
    pos = raw_pos + (len(ids) - len(enc["input_ids"]))  # the image expansion comes before the answer
    assert labels[pos] == ids[pos]
    vocab = len(processor.tokenizer)
    logits = torch.zeros(1, len(ids), vocab)
    logits[0, pos - 1, :] = torch.randn(vocab, generator=torch.Generator().manual_seed(0))
    in_context = _word_ids_in_context(processor, sample, pos)
    soft = torch.tensor([item["soft_target"]])
    loss = soft_label_lm_loss(logits, labels[None], soft, ds.rating_word_ids,
                              soft_positions=torch.tensor([item["soft_position"]]))
    # expected: soft CE at the word position over the words' in-context ids, hard CE elsewhere
    logp = torch.log_softmax(logits[0, :-1].float(), -1)
    shift = labels[1:].clone()
    expected_soft = -(soft[0] * logp[pos - 1, torch.tensor(in_context)]).sum()
    shift[pos - 1] = -100
    mask = shift != -100
    expected = (expected_soft - logp[mask].gather(-1, shift[mask][:, None]).sum()) / (int(mask.sum()) + 1)
    assert torch.allclose(loss, expected, atol=1e-5)


def test_a_soft_target_without_its_word_raises():
    """A row with a soft target whose rating word was not located is an error, not a silent skip."""
    logits = torch.zeros(1, 6, 50)
    labels = torch.tensor([[-100, -100, 7, 8, 9, -100]])
    with pytest.raises(ValueError, match="rating word"):
        soft_label_lm_loss(logits, labels, torch.tensor([[0.2, 0.2, 0.2, 0.2, 0.2]]), [30, 31, 32, 33, 34],
                           soft_positions=torch.tensor([-1]))


def test_a_word_without_a_token_of_its_own_is_refused():
    """A rating word whose first token also holds text before it cannot carry a soft target."""
    _, processor = from_preset("tiny", template="chatml")
    conversation = [{"role": "user", "content": "<image>\nRate."},
                    {"role": "assistant", "content": "The aesthetic quality of this photo is excellent."}]
    assert render_and_mask(conversation, processor, locate="excellent").located is not None
    with pytest.raises(RatingWordNotFoundError, match="shares its first token"):
        render_and_mask(conversation, processor, locate="cellent")
    with pytest.raises(RatingWordNotFoundError, match="does not occur"):
        render_and_mask(conversation, processor, locate="superb")
