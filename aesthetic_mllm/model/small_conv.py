"""A small convolutional vision tower that keeps full resolution in its first stage.

Low-level quality (grain, blur, JPEG blocks, exposure) lives at the scale of single pixels.
The HF convolutional towers either start by downsampling 4x (ResNet's strided 7x7 stem and
max-pool, ConvNeXt's 4x4 patchify) or normalise each position over its channels (ConvNeXt's
LayerNorm, which removes the local brightness and contrast scale). This tower is plain VGG-style:
3x3 convolutions with BatchNorm and ReLU, the first stage at the input resolution, each stage
ending in a 2x max-pool. It is registered with ``AutoConfig``/``AutoModel`` as
``aesthetic_small_conv``, so an :class:`AestheticMLLMConfig` holds it like any HF vision config,
and it returns feature maps like ConvNeXt and ResNet (``hidden_states[0]`` is the stem's output).
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import PreTrainedConfig, PreTrainedModel
from transformers.modeling_outputs import BaseModelOutputWithPoolingAndNoAttention


class SmallConvConfig(PreTrainedConfig):
    """Widths of the stages (``hidden_sizes``) and 3x3 convolutions per stage (``convs_per_stage``)."""

    model_type = "aesthetic_small_conv"
    attribute_map = {"num_hidden_layers": "num_stages"}

    num_channels: int = 3
    hidden_sizes: list[int] | tuple[int, ...] = (16, 32, 64, 128)
    convs_per_stage: int = 2
    image_size: int = 96

    def __post_init__(self, **kwargs):
        self.hidden_sizes = [int(w) for w in self.hidden_sizes]
        if not self.hidden_sizes or min(self.hidden_sizes) < 1 or self.convs_per_stage < 1:
            raise ValueError(f"hidden_sizes must be positive widths and convs_per_stage >= 1, got "
                             f"{self.hidden_sizes} and {self.convs_per_stage}")
        super().__post_init__(**kwargs)

    @property
    def num_stages(self) -> int:
        return len(self.hidden_sizes)


def _conv(in_width: int, out_width: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_width, out_width, 3, padding=1, bias=False), nn.BatchNorm2d(out_width),
                         nn.ReLU(inplace=True))


class SmallConvModel(PreTrainedModel):
    """Stem (one 3x3 conv at full resolution) and stages of 3x3 convs, each halving the map."""

    config_class = SmallConvConfig
    main_input_name = "pixel_values"
    base_model_prefix = "small_conv"
    input_modalities = ("image",)

    def __init__(self, config: SmallConvConfig):
        super().__init__(config)
        widths = config.hidden_sizes
        self.stem = _conv(config.num_channels, widths[0])
        self.stages = nn.ModuleList()
        for i, width in enumerate(widths):
            convs = [_conv(widths[max(i - 1, 0)] if k == 0 else width, width) for k in range(config.convs_per_stage)]
            # The stem is the first stage's first convolution; the copy built here is dropped, and it
            # stays because building it draws the init RNG that the measured seeded runs used.
            first = 1 if i == 0 else 0
            self.stages.append(nn.Sequential(*convs[first:], nn.MaxPool2d(2)) if len(convs) > first
                               else nn.MaxPool2d(2))
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, pixel_values: torch.Tensor, output_hidden_states: bool | None = None,
                return_dict: bool | None = None, **kwargs) -> BaseModelOutputWithPoolingAndNoAttention:
        """``(images, channels, h, w)`` -> the last map, its spatial mean and (optionally) every stage's map."""
        hidden = self.stem(pixel_values)
        states = [hidden]
        for stage in self.stages:
            hidden = stage(hidden)
            states.append(hidden)
        return BaseModelOutputWithPoolingAndNoAttention(
            last_hidden_state=hidden, pooler_output=hidden.mean(dim=(2, 3)),
            hidden_states=tuple(states) if output_hidden_states else None)
