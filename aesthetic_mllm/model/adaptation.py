"""Freeze/train policies per part and LoRA / QLoRA through peft (MFA in ``modules_to_save``).

Mixed precision: every parameter that trains is kept in fp32 (the optimizer's master weights;
under the Trainer's ``bf16=True`` autocast runs the matmuls in bf16); frozen parts stay in the
recipe's ``model.dtype``. The framing-token rows (``frame_embeddings``) train with the MFA (or a
fully trained LLM) in every adaptation mode, and LoRA adapters save them (``modules_to_save``);
a LoRA with ``train_mfa: false`` stays plain LoRA (task vectors).
"""

from __future__ import annotations

import re

import torch
from torch import nn

from ..config import AdaptationConfig

LLM_PREFIX = "language_model"
FRAMES = "frame_embeddings"


def trainable_parts(cfg: AdaptationConfig) -> list[str]:
    """The top-level parts whose own weights train under ``cfg`` (LoRA weights aside)."""
    llm = cfg.method == "full" and cfg.train_llm
    parts = [name for name, flag in (("vision_tower", cfg.train_vision), ("mfa", cfg.train_mfa),
                                     (LLM_PREFIX, llm)) if flag]
    if cfg.train_mfa or llm:  # the frame rows frame the MFA's tokens: they train with it (or with the whole LLM)
        parts.append(FRAMES)
    return parts


def set_trainable(model: nn.Module, vision: bool, mfa: bool, llm: bool, frames: bool | None = None) -> None:
    """Freeze or unfreeze the parts of an AestheticMLLM model (frame rows: with the MFA or the LLM)."""
    frames = (mfa or llm) if frames is None else frames
    for part, flag in (("vision_tower", vision), ("mfa", mfa), (LLM_PREFIX, llm), (FRAMES, frames)):
        module = getattr(model, part, None)
        for param in module.parameters() if module is not None else ():
            param.requires_grad = flag


def upcast_trainable(model: nn.Module) -> nn.Module:
    """Hold every trainable floating-point parameter in fp32 (frozen ones keep their dtype)."""
    for param in model.parameters():
        if param.requires_grad and param.is_floating_point() and param.dtype != torch.float32:
            param.data = param.data.float()
    return model


def lora_target_regex(names: list[str]) -> str:
    """A regex that matches the named projections inside the LLM only (never the vision tower)."""
    return rf".*{LLM_PREFIX}\..*\.({'|'.join(re.escape(n) for n in names)})$"


def apply_adaptation(model: nn.Module, cfg: AdaptationConfig, gradient_checkpointing: bool = False) -> nn.Module:
    """Return the model ready to train under ``cfg`` (a PeftModel for lora/qlora)."""
    if gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.language_model.config.use_cache = False
    parts = trainable_parts(cfg)
    if cfg.method in ("full", "frozen"):
        set_trainable(model, "vision_tower" in parts, "mfa" in parts, LLM_PREFIX in parts, FRAMES in parts)
        return upcast_trainable(model)
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if cfg.method == "qlora":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing,
                                                gradient_checkpointing_kwargs={"use_reentrant": False})
    to_save = [name for name in ("mfa", "vision_tower", FRAMES) if name in parts]
    lora = LoraConfig(
        r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
        target_modules=lora_target_regex(cfg.lora_target_modules), modules_to_save=to_save or None,
    )
    model.enable_input_require_grads()
    return upcast_trainable(get_peft_model(model, lora))


def qlora_compute_dtype() -> torch.dtype:
    """bf16 on a GPU that has it; fp32 on CPU, where bitsandbytes' 4-bit matmul is slower in bf16."""
    return torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32


def quantization_config(cfg: AdaptationConfig, compute_dtype: torch.dtype | None = None):
    """bitsandbytes 4-bit config for QLoRA; the vision tower, MFA, frame rows and LM head stay unquantized."""
    if cfg.method != "qlora":
        return None
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type=cfg.quant_type,
        bnb_4bit_compute_dtype=compute_dtype or qlora_compute_dtype(),
        llm_int8_skip_modules=["vision_tower", "mfa", FRAMES, "lm_head"],
    )


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total
