"""The small VGG-style tower (``aesthetic_small_conv``): full-resolution first stage, BatchNorm, feature maps."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402
import torch  # noqa: E402
from transformers import AutoConfig, AutoModel  # noqa: E402

from aesthetic_mllm.model import SmallConvConfig, SmallConvModel  # noqa: E402
from aesthetic_mllm.model.configuration import encoder_widths  # noqa: E402
from aesthetic_mllm.model.loading import from_preset, load_model, save_model  # noqa: E402

from .helpers import one_image_batch  # noqa: E402


def _demo_cnn():
    torch.manual_seed(0)
    return from_preset("demo_cnn")


def test_the_first_stage_sees_every_pixel_and_each_stage_halves_the_map():
    tower = SmallConvModel(SmallConvConfig(hidden_sizes=[8, 16, 32], image_size=32))
    out = tower(torch.randn(2, 3, 32, 32), output_hidden_states=True)
    assert [tuple(h.shape) for h in out.hidden_states] == [(2, 8, 32, 32), (2, 8, 16, 16), (2, 16, 8, 8), (2, 32, 4, 4)]
    assert torch.equal(out.last_hidden_state, out.hidden_states[-1])
    assert out.pooler_output.shape == (2, 32)
    # a one-pixel change at full resolution moves the stem's output (no stride before the first conv)
    x = torch.zeros(1, 3, 32, 32)
    y = x.clone()
    y[0, :, 5, 5] = 1.0
    tower.eval()
    assert not torch.allclose(tower(x, output_hidden_states=True).hidden_states[0],
                              tower(y, output_hidden_states=True).hidden_states[0])


def test_it_is_an_auto_model_and_rejects_bad_sizes(tmp_path):
    config = AutoConfig.for_model("aesthetic_small_conv", hidden_sizes=[8, 16])
    assert isinstance(AutoModel.from_config(config), SmallConvModel)
    assert config.num_hidden_layers == 2
    with pytest.raises(ValueError, match="hidden_sizes"):
        SmallConvConfig(hidden_sizes=[8, 0])
    with pytest.raises(ValueError, match="convs_per_stage"):
        SmallConvConfig(convs_per_stage=0)


def test_the_mfa_reads_the_small_conv_and_the_model_trains_and_round_trips(photos, tmp_path):
    model, processor = _demo_cnn()
    vc = model.config.vision_config
    assert vc.model_type == "aesthetic_small_conv" and encoder_widths(vc) == [16, 16, 32, 64, 128]
    batch = one_image_batch(processor, photos)
    model(**batch).loss.backward()
    stem = model.vision_tower.stem[0].weight.grad
    assert stem is not None and stem.abs().sum() > 0, "no gradient reached the full-resolution stem"
    for level, qformer in model.mfa.qformers.items():
        assert all(p.grad is not None for p in qformer.parameters()), f"level {level}: a Q-Former part got no gradient"
    save_model(model.eval(), processor, tmp_path / "m")
    again, _ = load_model(tmp_path / "m")
    assert isinstance(again.vision_tower, SmallConvModel)
    with torch.no_grad():  # BatchNorm's running statistics travel with the weights
        assert torch.allclose(model(**batch).logits, again.eval()(**batch).logits, atol=1e-5)
