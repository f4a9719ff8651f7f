"""A convolutional encoder (ConvNeXt) under the MFA: feature maps of growing width and shrinking size."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import torch  # noqa: E402

from aesthetic_mllm.model.configuration import encoder_widths  # noqa: E402
from aesthetic_mllm.model.loading import from_preset, load_model, save_model  # noqa: E402

from .helpers import one_image_batch  # noqa: E402


def _convnext():
    torch.manual_seed(0)
    return from_preset("tiny", vision="convnext")


def test_the_mfa_reads_every_stage_of_a_convnext(photos):
    model, processor = _convnext()
    vc = model.config.vision_config
    assert vc.model_type == "convnext" and encoder_widths(vc) == [32, 32, 64, 128, 128]
    pixels = processor.preprocess_images(photos[:2])
    states = model.vision_tower(pixel_values=pixels, output_hidden_states=True).hidden_states
    assert [s.dim() for s in states] == [4] * len(states)  # feature maps, not token sequences
    out = model.encode_images(pixels)
    for level, n in zip(("low", "middle", "high"), model.config.num_queries, strict=True):
        assert out.tokens[level].shape == (2, n, model.config.text_config.hidden_size)
    mixed = [g for g in model.config.layer_groups if len({encoder_widths(vc)[i] for i in g}) > 1]
    assert mixed, "the default groups should put stages of two widths in one level"


def test_a_convnext_model_trains_end_to_end_and_round_trips(photos, tmp_path):
    model, processor = _convnext()
    batch = one_image_batch(processor, photos)
    loss = model(**batch).loss
    loss.backward()
    stem = model.vision_tower.embeddings.patch_embeddings.weight.grad
    assert stem is not None and stem.abs().sum() > 0, "no gradient reached the convolutional stem"
    for level, qformer in model.mfa.qformers.items():
        assert all(p.grad is not None for p in qformer.parameters()), f"level {level}: a Q-Former part got no gradient"
    save_model(model.eval(), processor, tmp_path / "m")
    again, _ = load_model(tmp_path / "m")
    with torch.no_grad():
        assert torch.allclose(model(**batch).logits, again.eval()(**batch).logits, atol=1e-5)
