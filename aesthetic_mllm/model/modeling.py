"""``AestheticMLLMForConditionalGeneration``: vision tower -> MFA -> causal LM."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import torch
from torch import nn
from transformers import AutoModel, AutoModelForCausalLM, PreTrainedModel
from transformers import initialization as init
from transformers.modeling_outputs import CausalLMOutputWithPast

from .configuration import AestheticMLLMConfig
from .mfa import MFAOutput, MultiScaleFeatureAlignment, QFormer
from .special_tokens import LEVEL_TOKENS

_FP32_PARTS: ContextVar[tuple[str, ...]] = ContextVar("aesthetic_mllm_fp32_parts", default=())


@contextmanager
def keep_in_fp32(parts: Sequence[str]) -> Iterator[None]:
    """While loading with ``from_pretrained(dtype=bf16/fp16)``, keep these top-level parts in fp32.

    ``parts`` are attribute names (``vision_tower``, ``mfa``, ``language_model``,
    ``frame_embeddings``): the parts that will train, so their fp32 master weights are read
    from the checkpoint at full precision instead of being rounded to half precision first.
    """
    token = _FP32_PARTS.set(tuple(parts))
    try:
        yield
    finally:
        _FP32_PARTS.reset(token)


class ImageTokenMismatchError(ValueError):
    """The prompt's image placeholders do not match the images given."""


class AestheticMLLMPreTrainedModel(PreTrainedModel):
    config: AestheticMLLMConfig
    config_class = AestheticMLLMConfig
    base_model_prefix = "model"
    input_modalities = ("image", "text")
    supports_gradient_checkpointing = True
    _skip_keys_device_placement = ["past_key_values"]
    _supports_flash_attn = True
    _supports_sdpa = True
    _supports_attention_backend = True
    _no_split_modules = ["QFormerLayer"]

    def _get_dtype_plan(self, dtype: torch.dtype) -> dict:
        plan = super()._get_dtype_plan(dtype)
        if dtype in (torch.float16, torch.bfloat16):
            plan.update({rf"^{part}\.": torch.float32 for part in _FP32_PARTS.get()})
        return plan

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, QFormer):
            init.normal_(module.queries, mean=0.0, std=0.02)
            init.zeros_(module.layer_weights)
        else:
            super()._init_weights(module)


class AestheticMLLMForConditionalGeneration(AestheticMLLMPreTrainedModel):
    """Multimodal LLM whose visual tokens come from the multi-scale feature alignment module.

    Each ``<image>`` run in ``input_ids`` (expanded by :class:`AestheticProcessor`) is filled with
    one image's MFA tokens; images are consumed in prompt order across the batch, so a
    sample may hold several images (in-context personalization) or none (text-only).

    The framing tokens ``<low> <middle> <high> <thematic>`` take their input embeddings from
    ``frame_embeddings`` (one row each, trained with the MFA whatever the LLM's adaptation), not
    from the LLM's embedding matrix, so they learn even while the LLM is frozen, and a LoRA
    adapter saves them (``modules_to_save``) without a full-vocabulary embedding.
    """

    def __init__(self, config: AestheticMLLMConfig):
        super().__init__(config)
        self.vision_tower = AutoModel.from_config(config.vision_config)
        self.mfa = MultiScaleFeatureAlignment(config)
        self.language_model = AutoModelForCausalLM.from_config(config.text_config)
        # created last, so the random init of the other parts is what it was before this part existed
        self.frame_embeddings = nn.Embedding(len(LEVEL_TOKENS), config.text_config.hidden_size)
        self.post_init()

    # --- embeddings plumbing used by generate/peft/resize ---------------------------------
    def get_input_embeddings(self) -> nn.Module:
        return self.language_model.get_input_embeddings()

    def set_input_embeddings(self, value: nn.Module) -> None:
        self.language_model.set_input_embeddings(value)

    def get_output_embeddings(self) -> nn.Module:
        return self.language_model.get_output_embeddings()

    def set_output_embeddings(self, value: nn.Module) -> None:
        self.language_model.set_output_embeddings(value)

    def enable_input_require_grads(self) -> None:
        """Make the LLM's input embeddings require grad (what PEFT and checkpointing a frozen LLM need).

        transformers' default hooks the input embeddings of every sub-model, the vision tower's patch
        embedding included: a frozen tower would then run its whole backward pass for nothing.
        """
        def require_grads(module, inputs, output):
            output.requires_grad_(True)

        self._require_grads_hook = self.language_model.get_input_embeddings().register_forward_hook(require_grads)

    def disable_input_require_grads(self) -> None:
        hook = getattr(self, "_require_grads_hook", None)
        if hook is not None:
            hook.remove()
            self._require_grads_hook = None

    def resize_token_embeddings(self, *args, **kwargs):
        embeddings = self.language_model.resize_token_embeddings(*args, **kwargs)
        self.config.text_config.vocab_size = self.language_model.config.vocab_size
        return embeddings

    # --- vision ------------------------------------------------------------------------------
    def encode_images(self, pixel_values: torch.Tensor) -> MFAOutput:
        """Run the vision tower and the MFA on ``(images, 3, H, W)`` pixels."""
        pixel_values = pixel_values.to(dtype=self.vision_tower.dtype)
        hidden_states = self.vision_tower(pixel_values=pixel_values, output_hidden_states=True).hidden_states
        mfa_dtype = self.mfa.thematic_queries.weight.dtype  # a trained fp32 MFA may read a frozen bf16 tower
        if hidden_states[0].dtype != mfa_dtype and not torch.is_autocast_enabled(pixel_values.device.type):
            hidden_states = tuple(h.to(mfa_dtype) for h in hidden_states)  # autocast casts per op, no copies
        return self.mfa(hidden_states)

    def embed_tokens(self, input_ids: torch.LongTensor) -> torch.Tensor:
        """Token embeddings, with the framing tokens' rows taken from ``frame_embeddings``."""
        embeds = self.get_input_embeddings()(input_ids)
        if not self.config.level_token_ids:
            return embeds
        frame_ids = torch.tensor(self.config.level_token_ids, device=input_ids.device)
        is_frame = input_ids.unsqueeze(-1) == frame_ids  # (batch, seq, frames)
        if not bool(is_frame.any()):
            return embeds
        rows = self.frame_embeddings(is_frame.nonzero()[:, -1]).to(embeds.dtype)
        return embeds.masked_scatter(is_frame.any(-1, keepdim=True), rows)

    def embed_inputs(self, input_ids: torch.LongTensor, pixel_values: torch.Tensor | None = None,
                     mfa_output: MFAOutput | None = None) -> torch.Tensor:
        """Token embeddings with every ``<image>`` position replaced by MFA features."""
        embeds = self.embed_tokens(input_ids)
        mask = input_ids == self.config.image_token_id
        num_positions = int(mask.sum())
        num_images = 0 if pixel_values is None else pixel_values.shape[0]
        per_image = self.config.num_image_features
        if num_positions != num_images * per_image:
            raise ImageTokenMismatchError(
                f"the prompt has {num_positions} image-token positions ({num_positions / per_image:g} images' "
                f"worth at {per_image} per image) but {num_images} image(s) were given; put one <image> "
                "placeholder per image in the text and let AestheticProcessor expand it"
            )
        if num_images == 0:
            return embeds
        if mfa_output is None:
            mfa_output = self.encode_images(pixel_values)
        features = mfa_output.flat().to(embeds.dtype).reshape(-1, embeds.shape[-1])
        return embeds.masked_scatter(mask.unsqueeze(-1), features)

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        pixel_values: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        **kwargs,
    ) -> CausalLMOutputWithPast:
        """Standard causal-LM forward; ``labels`` use -100 for positions without a target."""
        if inputs_embeds is None:
            if input_ids is None:
                raise ValueError("give input_ids or inputs_embeds")
            inputs_embeds = self.embed_inputs(input_ids, pixel_values)
        return self.language_model(inputs_embeds=inputs_embeds, attention_mask=attention_mask, labels=labels,
                                   **kwargs)

    @torch.no_grad()
    def generate(self, input_ids: torch.LongTensor, pixel_values: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, **generate_kwargs) -> torch.LongTensor:
        """Generate continuations; returns only the new tokens (the prompt is given as embeddings)."""
        embeds = self.embed_inputs(input_ids, pixel_values)
        if attention_mask is None:
            attention_mask = torch.ones(input_ids.shape, dtype=torch.long, device=input_ids.device)
        generate_kwargs.setdefault("pad_token_id", self.language_model.generation_config.pad_token_id
                                   or self.config.text_config.eos_token_id)
        return self.language_model.generate(inputs_embeds=embeds, attention_mask=attention_mask, **generate_kwargs)
