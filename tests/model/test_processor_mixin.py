"""``AestheticProcessor`` is a ``transformers`` ``ProcessorMixin`` (issue 15, point 5).

It saves ``processor_config.json`` (the image processor and its own settings) next to the tokenizer
files, ``AutoProcessor.from_pretrained`` loads it back to the same ids and pixels under every resize
policy, and a directory written by the earlier format (``aesthetic_processor.json``) still loads.
"""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image
from transformers import AutoProcessor, ProcessorMixin

from aesthetic_mllm.model.loading import from_preset, load_model, save_model
from aesthetic_mllm.model.processor import RESIZE_POLICIES, AestheticProcessor

TEXT = "Image 1: <image> rated good. Now rate: <image>"


@pytest.fixture(scope="module")
def tiny():
    return from_preset("tiny")


@pytest.fixture(scope="module")
def two_shapes(photos):
    """A wide photo (600x400) and a tall one (427x640 turned on its side)."""
    return [photos[1], photos[3].transpose(Image.Transpose.ROTATE_90)]


def with_policy(processor: AestheticProcessor, policy: str) -> AestheticProcessor:
    return AestheticProcessor(processor.image_processor, processor.tokenizer, processor.num_queries,
                              processor.num_thematic_tokens, resize=policy, image_size=processor.image_size)


def save_in_earlier_format(model, processor: AestheticProcessor, directory) -> None:
    """What ``save_model`` wrote before the processor was a ``ProcessorMixin``."""
    model.save_pretrained(directory)
    processor.tokenizer.save_pretrained(directory)
    processor.image_processor.save_pretrained(directory)
    (directory / "aesthetic_processor.json").write_text(json.dumps(
        {"num_queries": processor.num_queries, "num_thematic_tokens": processor.num_thematic_tokens,
         "resize": processor.resize, "image_size": list(processor.image_size)}, indent=2))


def assert_same_inputs(a: AestheticProcessor, b: AestheticProcessor, images) -> None:
    first, second = a([TEXT], images), b([TEXT], images)
    assert torch.equal(first["input_ids"], second["input_ids"])
    assert torch.equal(first["attention_mask"], second["attention_mask"])
    assert first["pixel_values"].shape == (2, 3, *a.image_size)
    assert torch.equal(first["pixel_values"], second["pixel_values"])


def test_it_is_a_processor_mixin_with_the_llava_order_of_parts(tiny):
    _, processor = tiny
    assert isinstance(processor, ProcessorMixin)
    assert AestheticProcessor.get_attributes() == ["image_processor", "tokenizer"]
    with pytest.raises(TypeError, match="for argument image_processor"):
        AestheticProcessor(processor.tokenizer, processor.image_processor, [2, 2, 2], 1)


@pytest.mark.parametrize("policy", RESIZE_POLICIES)
def test_save_then_auto_processor_gives_the_same_ids_and_pixels(policy, tiny, two_shapes, tmp_path):
    processor = with_policy(tiny[1], policy)
    processor.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "processor_config.json").read_text())
    assert saved["processor_class"] == "AestheticProcessor" and saved["resize"] == policy
    assert saved["num_queries"] == processor.num_queries and saved["image_size"] == list(processor.image_size)
    assert not (tmp_path / "aesthetic_processor.json").exists()

    again = AutoProcessor.from_pretrained(tmp_path)
    assert type(again) is AestheticProcessor and again.resize == policy
    assert again.image_expansion == processor.image_expansion and again.image_token_id == processor.image_token_id
    assert again.level_token_ids == processor.level_token_ids
    assert_same_inputs(processor, again, two_shapes)
    ids = again([TEXT], two_shapes)["input_ids"][0].tolist()
    assert again.count_placeholders(TEXT) == 2
    assert ids.count(again.image_token_id) == 2 * (sum(again.num_queries) + again.num_thematic_tokens)


def test_the_policies_give_different_pixels_for_these_shapes(tiny, two_shapes):
    """So the round trip above would notice a policy lost on the way."""
    pixels = [with_policy(tiny[1], p).preprocess_images(two_shapes) for p in RESIZE_POLICIES]
    for i, a in enumerate(pixels):
        for b in pixels[i + 1:]:
            assert (a - b).abs().max() > 0.5


def test_the_chat_template_is_the_tokenizers_and_survives_the_round_trip(tiny, tmp_path):
    _, processor = tiny
    messages = [{"role": "user", "content": "<image>\nRate it."}, {"role": "assistant", "content": "Good."}]
    processor = with_policy(processor, "squash")
    assert processor.chat_template == processor.tokenizer.chat_template is not None
    processor.save_pretrained(tmp_path)
    again = AutoProcessor.from_pretrained(tmp_path)
    assert again.apply_chat_template(messages) == processor.apply_chat_template(messages)
    # a template changed on the tokenizer is the one saved (the processor holds no stale copy)
    again.tokenizer.chat_template = "{% for m in messages %}[{{ m['content'] }}]{% endfor %}"
    again.save_pretrained(tmp_path / "changed")
    assert AutoProcessor.from_pretrained(tmp_path / "changed").apply_chat_template(messages) == \
        "[<image>\nRate it.][Good.]"


def test_a_model_dir_in_the_earlier_format_still_loads(tiny, two_shapes, tmp_path):
    model, processor = tiny
    processor = with_policy(processor, "pad")
    save_in_earlier_format(model, processor, tmp_path)
    assert not (tmp_path / "processor_config.json").exists()

    loaded_model, loaded = load_model(tmp_path)
    assert type(loaded) is AestheticProcessor and loaded.resize == "pad"
    assert_same_inputs(processor, loaded, two_shapes)
    assert_same_inputs(processor, AestheticProcessor.from_pretrained(tmp_path), two_shapes)
    assert_same_inputs(processor, AutoProcessor.from_pretrained(tmp_path), two_shapes)  # via config.json's type
    batch = loaded([TEXT], two_shapes)
    assert torch.isfinite(loaded_model(**batch).logits).all()

    # saved again, it is in the new format and loads to the same inputs
    save_model(loaded_model, loaded, tmp_path / "resaved")
    assert (tmp_path / "resaved" / "processor_config.json").is_file()
    assert_same_inputs(processor, load_model(tmp_path / "resaved")[1], two_shapes)


def test_a_dir_without_a_processor_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no processor_config.json or aesthetic_processor.json"):
        AestheticProcessor.from_pretrained(tmp_path)
