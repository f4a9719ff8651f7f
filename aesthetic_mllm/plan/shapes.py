"""A recipe's model from config files only: the composite config, built and adapted on the meta device.

``model.vision`` / ``model.llm`` / ``model.from_llava`` / ``model.path`` may each be a directory
holding only ``config.json`` (or the path of that file). When the LLM directory has no
tokenizer, the five special tokens are assumed to be new rows (what composing adds to a Llama
or Mistral vocabulary).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn
from transformers import AutoConfig

from ..config import AdaptationConfig, ModelConfig
from ..model.adaptation import apply_adaptation
from ..model.configuration import AestheticMLLMConfig
from ..model.modeling import AestheticMLLMForConditionalGeneration
from ..model.special_tokens import IMAGE_TOKEN, LEVEL_TOKENS, SPECIAL_TOKENS

PART_NAMES = {"vision_tower": "vision", "mfa": "mfa", "frame_embeddings": "frames", "language_model": "llm"}
NF4_BYTES = 0.5 + 4 / 64  # 4-bit weights + one fp32 absmax per block of 64 (bitsandbytes, no double quant)
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}


@dataclass
class PartCount:
    """Parameters of one part: in the model, trainable under the recipe, and bytes held per GPU (DDP)."""

    total: int = 0
    trainable: int = 0
    held: int = 0  # parameters present after adaptation (peft keeps a frozen copy of modules_to_save)
    bytes: float = 0.0


@dataclass
class ModelShapes:
    """What the planner needs to know about the model, from configs alone."""

    config: AestheticMLLMConfig
    parts: dict[str, PartCount]
    largest_layer: int
    dtype: str
    adaptation: AdaptationConfig
    tokenizer_dir: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.parts.values())

    @property
    def trainable(self) -> int:
        return sum(p.trainable for p in self.parts.values())

    @property
    def held(self) -> int:
        return sum(p.held for p in self.parts.values())

    @property
    def frozen_held(self) -> int:
        return self.held - self.trainable

    @property
    def ddp_weight_bytes(self) -> float:
        return sum(p.bytes for p in self.parts.values())

    @property
    def patches(self) -> int:
        """Vision tokens the encoder sees per image (patches + class token)."""
        vc = self.config.vision_config
        side = int(vc.image_size) // int(vc.patch_size)
        return side * side + (0 if vc.model_type.startswith("siglip") else 1)


def _config_source(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{path}: not found; give a local directory (config.json alone is enough) "
                                "or the path of a config.json")
    return p


def _load_config(path: str):
    return AutoConfig.from_pretrained(str(_config_source(path)))


def _tokenizer_dir(path: str) -> str | None:
    p = Path(path)
    names = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "vocab.json")
    return str(p) if p.is_dir() and any((p / n).is_file() for n in names) else None


def _added_rows(text_cfg, tokenizer_dir: str | None, notes: list[str]) -> int:
    """Vocabulary rows after composing: the LLM's, grown if the tokenizer gains the special tokens."""
    if tokenizer_dir is None:
        notes.append(f"no tokenizer next to the LLM config: assuming the {len(SPECIAL_TOKENS)} special tokens "
                     "are appended as new embedding rows")
        return text_cfg.vocab_size + len(SPECIAL_TOKENS)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    new = sum(t not in tokenizer.get_vocab() for t in SPECIAL_TOKENS)
    return max(text_cfg.vocab_size, len(tokenizer) + new)


def composite_config(vision: str, llm: str, notes: list[str] | None = None, **overrides) -> AestheticMLLMConfig:
    """The config ``from_parts(vision, llm)`` would build, from the parts' config files only."""
    notes = [] if notes is None else notes
    vision_cfg = _load_config(vision)
    if hasattr(vision_cfg, "vision_config"):
        vision_cfg = vision_cfg.vision_config
    text_cfg = _load_config(llm)
    text_cfg.vocab_size = _added_rows(text_cfg, _tokenizer_dir(llm), notes)
    return _with_token_ids(AestheticMLLMConfig(vision_config=vision_cfg.to_dict(), text_config=text_cfg.to_dict(),
                                               **overrides))


def _with_token_ids(config: AestheticMLLMConfig) -> AestheticMLLMConfig:
    if config.image_token_id < 0:  # placeholders at the end of the vocabulary (the ids do not change the plan)
        vocab = config.text_config.vocab_size
        config.image_token_id = vocab - len(SPECIAL_TOKENS) + SPECIAL_TOKENS.index(IMAGE_TOKEN)
        config.level_token_ids = [vocab - len(SPECIAL_TOKENS) + SPECIAL_TOKENS.index(t) for t in LEVEL_TOKENS]
    return config


def _preset_config(name: str) -> AestheticMLLMConfig:
    from ..model.presets import get_preset, text_config_dict, vision_config_dict
    from ..model.tokenizer import build_tiny_tokenizer

    preset = get_preset(name)
    vocab = len(build_tiny_tokenizer(preset.vocab_size))
    return _with_token_ids(AestheticMLLMConfig(
        vision_config=vision_config_dict(preset, "clip"), text_config=text_config_dict(preset, "llama", vocab_size=vocab),
        num_queries=list(preset.num_queries), mfa_hidden_size=preset.mfa_hidden, mfa_num_heads=preset.heads))


def resolve_config(cfg: ModelConfig, notes: list[str]) -> tuple[AestheticMLLMConfig, str | None]:
    """The composite config the recipe would train, and where its tokenizer is (if anywhere)."""
    if cfg.path:
        path = _config_source(cfg.path)
        if path.is_dir() and (path / "adapter_config.json").is_file():
            base = json.loads((path / "adapter_config.json").read_text())["base_model_name_or_path"]
            notes.append(f"model.path is a LoRA adapter; planning its base model {base}")
            path = _config_source(base)
        config = AutoConfig.from_pretrained(str(path))
        if not isinstance(config, AestheticMLLMConfig):
            raise ValueError(f"{cfg.path}: config.json is a {type(config).__name__}, not an aesthetic_mllm model; "
                             "use model.vision + model.llm for separate parts")
        return _with_token_ids(config), _tokenizer_dir(str(path if path.is_dir() else path.parent))
    if cfg.from_llava:
        llava = _load_config(cfg.from_llava)
        text_cfg = llava.text_config
        tok = _tokenizer_dir(cfg.from_llava)
        text_cfg.vocab_size = _added_rows(text_cfg, tok, notes)
        return _with_token_ids(AestheticMLLMConfig(vision_config=llava.vision_config.to_dict(),
                                                   text_config=text_cfg.to_dict())), tok
    if cfg.vision and cfg.llm:
        return composite_config(cfg.vision, cfg.llm, notes), _tokenizer_dir(cfg.llm)
    notes.append(f"preset {cfg.preset!r} (configs in code, offline tokenizer)")
    return _preset_config(cfg.preset), None


def _part(name: str) -> str:
    name = name.removeprefix("base_model.model.")
    if "lora_" in name:
        return "lora"
    return PART_NAMES[name.split(".")[0]]


def _is_quantized(name: str, module: nn.Module) -> bool:
    """A QLoRA 4-bit weight: the LLM's Linear layers except the LM head (what quantization_config does)."""
    return isinstance(module, nn.Linear) and ".language_model." in f".{name}." and not name.endswith("lm_head")


def model_shapes(cfg: ModelConfig) -> ModelShapes:
    """Build the recipe's model and adaptation on the meta device and count what it holds."""
    notes: list[str] = []
    config, tokenizer_dir = resolve_config(cfg, notes)
    adaptation = cfg.adaptation
    with torch.device("meta"):
        model = AestheticMLLMForConditionalGeneration(config)
    parts = {name: PartCount() for name in (*PART_NAMES.values(), "lora")}
    for name, p in model.named_parameters():
        parts[_part(name)].total += p.numel()
    largest = max(sum(p.numel() for p in m.parameters(recurse=False)) for m in model.modules())
    quantized = {f"{n}.weight" for n, m in model.named_modules() if _is_quantized(n, m)}
    # QLoRA's trainable set is LoRA's; the 4-bit storage is accounted in bytes below
    counting = AdaptationConfig(**{**vars(adaptation), "method": "lora"}) if adaptation.method == "qlora" else adaptation
    with torch.device("meta"):
        adapted = apply_adaptation(model, counting)
    frozen_bytes = DTYPE_BYTES[cfg.dtype]
    for name, p in adapted.named_parameters():
        part = parts[_part(name)]
        part.held += p.numel()
        if p.requires_grad:
            part.trainable += p.numel()
            part.bytes += 4 * p.numel()  # fp32 master weights (mixed precision: trainable parts stay fp32)
        elif "original_module" in name:  # peft's frozen copy of a modules_to_save part, loaded in fp32
            part.bytes += 4 * p.numel()
        elif adaptation.method == "qlora":
            plain = name.removeprefix("base_model.model.").replace(".base_layer", "")
            # prepare_model_for_kbit_training upcasts every non-4-bit parameter to fp32
            part.bytes += (NF4_BYTES if plain in quantized else 4) * p.numel()
        else:
            part.bytes += frozen_bytes * p.numel()
    parts["lora"].total = parts["lora"].trainable
    return ModelShapes(config=config, parts=parts, largest_layer=largest, dtype=cfg.dtype, adaptation=adaptation,
                       tokenizer_dir=tokenizer_dir, notes=notes)
