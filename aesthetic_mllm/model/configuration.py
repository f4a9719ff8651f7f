"""``AestheticMLLMConfig``: vision encoder + MFA + causal LM, registered with ``AutoConfig``."""

from __future__ import annotations

from transformers import AutoConfig, PreTrainedConfig
from transformers.configuration_utils import SubConfigSpec

LEVELS = ("low", "middle", "high")


class AestheticMLLMConfig(PreTrainedConfig):
    """Configuration of :class:`AestheticMLLMForConditionalGeneration`.

    ``vision_config`` is any HF vision-model config (CLIP, SigLIP, DINOv2, ViT) and
    ``text_config`` any causal-LM config. The MFA fields say how many learnable queries each
    level has, which encoder layers each level reads (``layer_groups``, 1-based layer
    indices; ``None`` means thirds of the depth) and the Q-Former width/depth.
    """

    model_type = "aesthetic_mllm"
    sub_configs_defaults = {
        "vision_config": SubConfigSpec(config_class=AutoConfig, model_type="clip_vision_model"),
        "text_config": SubConfigSpec(config_class=AutoConfig, model_type="llama"),
    }

    vision_config: dict | PreTrainedConfig | None = None
    text_config: dict | PreTrainedConfig | None = None
    num_queries: list[int] | None = None
    num_thematic_tokens: int = 1
    layer_groups: list[list[int]] | None = None
    mfa_hidden_size: int = 256
    mfa_num_layers: int = 2
    mfa_num_heads: int = 4
    mfa_dropout: float = 0.0
    image_token_id: int = -1
    level_token_ids: list[int] | None = None
    rating_words: list[str] | None = None
    tie_word_embeddings: bool = False

    def __post_init__(self, **kwargs):
        super().__post_init__(**kwargs)
        if self.num_queries is None:
            self.num_queries = [32, 32, 32]
        if len(self.num_queries) != 3 or min(self.num_queries) < 1:
            raise ValueError(f"num_queries must be three positive counts (low, middle, high), got {self.num_queries}")
        if self.num_thematic_tokens < 1:
            raise ValueError(f"num_thematic_tokens must be >= 1, got {self.num_thematic_tokens}")
        if self.layer_groups is None:
            self.layer_groups = default_layer_groups(encoder_depth(self.vision_config))
        check_layer_groups(self.layer_groups, encoder_depth(self.vision_config))
        if self.rating_words is None:
            self.rating_words = ["excellent", "good", "fair", "poor", "bad"]

    @property
    def image_seq_length(self) -> int:
        """Positions one image takes in the prompt: framing tokens + query tokens + theme tokens."""
        return len(LEVELS) + 1 + sum(self.num_queries) + self.num_thematic_tokens

    @property
    def num_image_features(self) -> int:
        """Feature vectors one image contributes (the ``<image>`` positions it fills)."""
        return sum(self.num_queries) + self.num_thematic_tokens


def encoder_depth(vision_config) -> int:
    """Hidden states after the embeddings: transformer blocks (ViT-style) or stages (ConvNeXt, ResNet)."""
    return int(vision_config.num_hidden_layers)


def encoder_widths(vision_config) -> list[int]:
    """Channel width of each hidden state, index 0 being the embeddings' output.

    ViT-style encoders (CLIP, SigLIP, DINOv2) keep one ``hidden_size``; convolutional ones
    (ConvNeXt, ResNet) return feature maps whose width grows per stage (``hidden_sizes``).
    """
    if getattr(vision_config, "hidden_size", None) is not None:
        return [int(vision_config.hidden_size)] * (encoder_depth(vision_config) + 1)
    sizes = [int(w) for w in vision_config.hidden_sizes]
    return [int(getattr(vision_config, "embedding_size", None) or sizes[0]), *sizes]


def default_layer_groups(depth: int) -> list[list[int]]:
    """Split encoder layers 1..depth into three contiguous thirds (shallow, middle, deep).

    A 2-layer encoder (reduced-depth test models) reads the embeddings (layer 0), layer 1 and layer 2.
    """
    if depth == 2:
        return [[0], [1], [2]]
    if depth < 3:
        raise ValueError(f"the vision encoder needs at least 2 layers for three MFA levels, has {depth}")
    bounds = [round(depth * i / 3) for i in range(4)]
    return [list(range(bounds[i] + 1, bounds[i + 1] + 1)) for i in range(3)]


def check_layer_groups(groups: list[list[int]], depth: int) -> None:
    """Raise a clear error if the groups are not three non-empty lists of layers 0..depth."""
    if len(groups) != 3 or any(len(g) == 0 for g in groups):
        raise ValueError(f"layer_groups must be three non-empty lists (low, middle, high), got {groups}")
    bad = [i for g in groups for i in g if not 0 <= i <= depth]
    if bad:
        raise ValueError(f"layer_groups name layers {bad} but the encoder has layers 0..{depth}")
