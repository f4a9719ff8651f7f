"""Collator (padding, ignore index, images in prompt order, text-only rows) and padding waste."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402
import torch  # noqa: E402

from aesthetic_mllm.contract.chat import IGNORE_INDEX, render_and_mask  # noqa: E402
from aesthetic_mllm.data.collator import MultimodalCollator, padding_waste  # noqa: E402
from aesthetic_mllm.model.loading import from_preset  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    return model.eval(), processor


def item(processor, question: str, answer: str, num_images: int, soft=None, fill: float = 0.0):
    conversation = [{"role": "user", "content": "<image>\n" * num_images + question},
                    {"role": "assistant", "content": answer}]
    enc = render_and_mask(conversation, processor)
    out = {"input_ids": torch.tensor(enc.input_ids), "labels": torch.tensor(enc.labels)}
    if num_images:
        size = processor.image_processor.size["height"]
        out["pixel_values"] = torch.stack([torch.full((3, size, size), fill + k) for k in range(num_images)])
    if soft is not None:
        out["soft_target"] = soft
    return out


def test_padding_and_ignore_index(tiny):
    _, processor = tiny
    items = [item(processor, "Rate it.", "good", 1), item(processor, "Rate this photo please, carefully.", "A much "
                                                           "longer answer about the light.", 0)]
    batch = MultimodalCollator(processor)(items)
    lengths = [len(i["input_ids"]) for i in items]
    assert lengths[0] != lengths[1]
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape == (2, max(lengths))
    for row, n in enumerate(lengths):
        assert (batch["input_ids"][row, n:] == processor.tokenizer.pad_token_id).all()
        assert (batch["labels"][row, n:] == IGNORE_INDEX).all()
        assert batch["attention_mask"][row].sum() == n and batch["attention_mask"][row, :n].all()
        assert torch.equal(batch["labels"][row, :n], items[row]["labels"])
    width = max(lengths)
    padded = MultimodalCollator(processor, pad_to_multiple_of=64)(items)
    assert padded["input_ids"].shape[1] % 64 == 0 and padded["input_ids"].shape[1] >= width


def test_images_stacked_in_prompt_order_with_text_only_rows(tiny):
    model, processor = tiny
    items = [item(processor, "Compare.", "The first.", 2, fill=10.0), item(processor, "Hello?", "Hi.", 0),
             item(processor, "Rate.", "fair", 3, fill=20.0)]
    batch = MultimodalCollator(processor)(items)
    assert batch["pixel_values"].shape[0] == 5
    assert batch["pixel_values"][:, 0, 0, 0].tolist() == [10.0, 11.0, 20.0, 21.0, 22.0]
    with torch.no_grad():
        loss = model(**batch).loss
    assert torch.isfinite(loss)


def test_text_only_batch_has_no_pixel_values(tiny):
    _, processor = tiny
    batch = MultimodalCollator(processor)([item(processor, "Hi?", "Hello.", 0), item(processor, "Yo?", "Hey.", 0)])
    assert "pixel_values" not in batch and "soft_targets" not in batch


def test_soft_targets_rows(tiny):
    _, processor = tiny
    items = [item(processor, "Rate.", "good", 1, soft=[0.1, 0.6, 0.3, 0, 0]), item(processor, "Hi?", "Hello.", 0)]
    soft = MultimodalCollator(processor)(items)["soft_targets"]
    assert soft.shape == (2, 5)
    assert soft[0].tolist() == pytest.approx([0.1, 0.6, 0.3, 0, 0]) and soft[1].sum() == 0


def test_images_given_as_pil_are_preprocessed(tiny, photos):
    _, processor = tiny
    feature = {k: v for k, v in item(processor, "Rate.", "good", 1).items() if k != "pixel_values"}
    batch = MultimodalCollator(processor)([{**feature, "images": [photos[0]]}])
    assert batch["pixel_values"].shape == (1, 3, 96, 96)


def test_padding_waste_numbers():
    assert padding_waste([2, 4, 4, 4], [[0, 1], [2, 3]]) == pytest.approx(2 / 16)
    assert padding_waste([3, 3], [[0, 1]]) == 0.0
