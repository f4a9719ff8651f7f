"""Model presets built from configs in code (no weights, no downloads).

``tiny`` (~1.5M params) is what tests share; ``demo`` (same widths, 8-px patches),
``demo_convnext`` (the same widths on a ConvNeXt tower) and ``demo_cnn`` (on the small VGG-style
tower of :mod:`.small_conv`: the quickstart's model) are the demo world's models; ``small``
(~25M) is the larger size the benchmarks use. Both pair a CLIP-style encoder with a Llama-style LM; the
``tiny_parts`` helper gives the same size for any {clip, siglip} x {llama, qwen2} pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..registry import Registry

VISION_TYPES = {"clip": "clip_vision_model", "siglip": "siglip_vision_model", "convnext": "convnext",
                "small_conv": "aesthetic_small_conv"}
TEXT_TYPES = {"llama": "llama", "qwen2": "qwen2"}


@dataclass(frozen=True)
class Preset:
    """Sizes of one preset."""

    image_size: int
    patch_size: int
    vision_hidden: int
    vision_layers: int
    text_hidden: int
    text_layers: int
    heads: int
    num_queries: tuple[int, int, int]
    mfa_hidden: int
    vocab_size: int = 1024
    vision: str = "clip"  # the encoder kind from_preset builds unless told otherwise
    extra: dict[str, Any] = field(default_factory=dict)


PRESETS: Registry[Preset] = Registry("preset")
PRESETS.update({
    "tiny": Preset(image_size=96, patch_size=16, vision_hidden=64, vision_layers=6, text_hidden=128,
                   text_layers=4, heads=4, num_queries=(8, 8, 8), mfa_hidden=64),
    # The quickstart's model: the tiny widths with 8-px patches (144 patches at 96 px), so JPEG
    # blocks, grain and blur, which live at the scale of a few pixels, reach the encoder.
    "demo": Preset(image_size=96, patch_size=8, vision_hidden=64, vision_layers=6, text_hidden=128,
                   text_layers=4, heads=4, num_queries=(8, 8, 8), mfa_hidden=64),
    # The demo widths on a ConvNeXt (4-px stem, four stages): local statistics (grain, blur, JPEG
    # blocks) are what convolutions see first.
    "demo_convnext": Preset(image_size=96, patch_size=4, vision_hidden=64, vision_layers=4, text_hidden=128,
                            text_layers=4, heads=4, num_queries=(8, 8, 8), mfa_hidden=64, vision="convnext"),
    # The demo widths on the small VGG-style tower (BatchNorm, first stage at full resolution): the
    # quickstart's model, chosen by the encoder ceiling on the validation photos (docs/demo_world.md).
    "demo_cnn": Preset(image_size=96, patch_size=1, vision_hidden=64, vision_layers=4, text_hidden=128,
                       text_layers=4, heads=4, num_queries=(8, 8, 8), mfa_hidden=64, vision="small_conv"),
    "small": Preset(image_size=224, patch_size=16, vision_hidden=256, vision_layers=9, text_hidden=512,
                    text_layers=6, heads=8, num_queries=(32, 32, 32), mfa_hidden=256, vocab_size=2048),
})


def vision_config_dict(preset: Preset, kind: str | None = None) -> dict[str, Any]:
    """A vision-encoder config of the preset's size (``kind``: clip, siglip, convnext or small_conv; default the preset's).

    A ConvNeXt is the standard layout at the preset's width: a 4-px stem and four stages of two
    blocks, ``vision_hidden`` x (1/2, 1, 2, 2) wide, each halving the map: feature maps of growing
    width and shrinking size (24, 12, 6, 3 px at 96 px). A small_conv is four stages
    ``vision_hidden`` x (1/4, 1/2, 1, 2) wide behind a full-resolution stem (48, 24, 12, 6 px).
    """
    kind = kind or preset.vision
    if kind not in VISION_TYPES:
        raise ValueError(f"unknown vision kind {kind!r}; choose from {sorted(VISION_TYPES)}")
    if kind == "convnext":
        h = preset.vision_hidden
        return {"model_type": "convnext", "num_channels": 3, "patch_size": 4, "image_size": preset.image_size,
                "hidden_sizes": [h // 2, h, 2 * h, 2 * h], "depths": [2, 2, 2, 2]}
    if kind == "small_conv":
        h = preset.vision_hidden
        return {"model_type": VISION_TYPES[kind], "num_channels": 3, "image_size": preset.image_size,
                "hidden_sizes": [h // 4, h // 2, h, 2 * h], "convs_per_stage": 2}
    return {
        "model_type": VISION_TYPES[kind], "hidden_size": preset.vision_hidden,
        "intermediate_size": 4 * preset.vision_hidden, "num_hidden_layers": preset.vision_layers,
        "num_attention_heads": preset.heads, "image_size": preset.image_size, "patch_size": preset.patch_size,
    }


def text_config_dict(preset: Preset, kind: str = "llama", vocab_size: int | None = None) -> dict[str, Any]:
    """A causal-LM config of the preset's size (``kind`` is llama or qwen2)."""
    if kind not in TEXT_TYPES:
        raise ValueError(f"unknown LLM kind {kind!r}; choose from {sorted(TEXT_TYPES)}")
    return {
        "model_type": TEXT_TYPES[kind], "hidden_size": preset.text_hidden,
        "intermediate_size": 2 * preset.text_hidden, "num_hidden_layers": preset.text_layers,
        "num_attention_heads": preset.heads, "num_key_value_heads": max(1, preset.heads // 2),
        "vocab_size": vocab_size or preset.vocab_size, "max_position_embeddings": 2048,
        "tie_word_embeddings": False,
    }


def get_preset(name: str) -> Preset:
    """The preset called ``name``, with the valid names listed if it is unknown."""
    return PRESETS.lookup(name)
