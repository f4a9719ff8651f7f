"""The resize policy is explicit: squash (default) | pad | crop (issue 10 defect 6).

Composed with a real CLIP image-processor config (openai/clip-vit-large-patch14-336's: resize
the shortest edge to 336, centre-crop 336x336), a wide photo's left and right edges must reach
the model under ``squash`` and ``pad``; only ``crop`` cuts them.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel, LlamaConfig, LlamaForCausalLM

from aesthetic_mllm.model.loading import from_parts, save_model
from aesthetic_mllm.model.processor import AestheticProcessor
from aesthetic_mllm.model.tokenizer import build_tiny_tokenizer

CLIP_MEAN, CLIP_STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]
RED, BLUE, GREY = (220, 20, 20), (20, 20, 220), (128, 128, 128)


@pytest.fixture(scope="module")
def clip336_parts(tmp_path_factory):
    root = tmp_path_factory.mktemp("clip336")
    tokenizer = build_tiny_tokenizer()
    CLIPVisionModel(CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2,
                                     image_size=336, patch_size=48)).save_pretrained(root / "vision")
    CLIPImageProcessor(do_resize=True, size={"shortest_edge": 336}, resample=3, do_center_crop=True,
                       crop_size={"height": 336, "width": 336}, do_rescale=True, rescale_factor=1 / 255,
                       do_normalize=True, image_mean=CLIP_MEAN, image_std=CLIP_STD,
                       do_convert_rgb=True).save_pretrained(root / "vision")
    LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                 num_attention_heads=2, num_key_value_heads=1)).save_pretrained(root / "llm")
    tokenizer.save_pretrained(root / "llm")
    return root


def wide_photo() -> Image.Image:
    """1008x336 (3:1): a red band on the left sixth, a blue band on the right sixth, grey between."""
    pixels = np.full((336, 1008, 3), GREY, dtype=np.uint8)
    pixels[:, :168] = RED
    pixels[:, -168:] = BLUE
    return Image.fromarray(pixels)


def _rgb(pixel_values: torch.Tensor) -> np.ndarray:
    """(3, H, W) normalised pixels back to 0..255 RGB, (H, W, 3)."""
    mean, std = torch.tensor(CLIP_MEAN)[:, None, None], torch.tensor(CLIP_STD)[:, None, None]
    return ((pixel_values * std + mean) * 255).permute(1, 2, 0).numpy()


def _near(pixel: np.ndarray, colour) -> bool:
    return bool(np.abs(pixel - np.array(colour)).max() < 12)


def test_clip_processor_config_is_not_centre_cropped_by_default(clip336_parts, photos):
    model, processor = from_parts(clip336_parts / "vision", clip336_parts / "llm", num_queries=[2, 2, 2])
    pixels = processor.preprocess_images([wide_photo()])
    assert pixels.shape == (1, 3, 336, 336)
    rgb = _rgb(pixels[0])
    assert _near(rgb[168, 2], RED) and _near(rgb[168, -3], BLUE) and _near(rgb[168, 168], GREY)
    assert processor.resize == "squash" and processor.image_size == (336, 336)
    batch = processor(["<image> rate it"], [wide_photo()])
    assert torch.isfinite(model(**batch).logits).all()


@pytest.mark.parametrize("policy", ["squash", "pad", "crop"])
def test_each_policy_keeps_or_cuts_the_edges_and_survives_save_and_load(policy, clip336_parts, tmp_path):
    model, processor = from_parts(clip336_parts / "vision", clip336_parts / "llm", num_queries=[2, 2, 2],
                                  resize=policy)
    save_model(model, processor, tmp_path)
    again = AestheticProcessor.from_pretrained(tmp_path)
    assert again.resize == policy and again.image_size == (336, 336)
    rgb = _rgb(again.preprocess_images([wide_photo()])[0])
    middle_row = 168
    edges = rgb[middle_row, 2], rgb[middle_row, -3]
    if policy == "crop":  # the centre 336 of 1008 columns: both coloured bands are gone
        assert _near(edges[0], GREY) and _near(edges[1], GREY)
    else:
        assert _near(edges[0], RED) and _near(edges[1], BLUE)
    if policy == "pad":  # letterboxed: 112 rows of the mean colour above and below (0 after normalising)
        normalised = again.preprocess_images([wide_photo()])[0]
        assert normalised[:, :100].abs().max() < 0.02 and normalised[:, -100:].abs().max() < 0.02
        assert _near(rgb[middle_row, 168 // 3 + 10], GREY)  # red band is 56 px wide after scaling 1/3
    if policy == "squash":  # stretched: every row holds the photo
        assert _near(rgb[5, 2], RED)


def test_a_processor_saved_before_the_policy_existed_keeps_its_training_preprocessing(clip336_parts, tmp_path):
    import json

    model, processor = from_parts(clip336_parts / "vision", clip336_parts / "llm", num_queries=[2, 2, 2])
    processor.tokenizer.save_pretrained(tmp_path)  # the earlier format, from before the policy and size were saved
    processor.image_processor.save_pretrained(tmp_path)
    meta = {"num_queries": processor.num_queries, "num_thematic_tokens": processor.num_thematic_tokens}
    (tmp_path / "aesthetic_processor.json").write_text(json.dumps(meta))
    assert AestheticProcessor.from_pretrained(tmp_path).resize == "crop"  # what CLIP's processor did


def test_unknown_policy_is_a_clear_error(clip336_parts):
    with pytest.raises(ValueError, match="resize policy must be one of"):
        from_parts(clip336_parts / "vision", clip336_parts / "llm", num_queries=[2, 2, 2], resize="stretch")
