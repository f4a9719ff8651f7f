"""Build, save and load models: presets, local parts, LLaVA checkpoints, saved dirs and adapters."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoImageProcessor, AutoModel, AutoModelForCausalLM, AutoTokenizer

from .configuration import AestheticMLLMConfig
from .mfa import MultiScaleFeatureAlignment
from .modeling import AestheticMLLMForConditionalGeneration, keep_in_fp32
from .presets import get_preset, text_config_dict, vision_config_dict
from .processor import AestheticProcessor, has_saved_processor
from .special_tokens import IMAGE_TOKEN, LEVEL_TOKENS, add_special_tokens
from .tokenizer import build_tiny_tokenizer

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
PARTS = ("vision_tower", "mfa", "language_model", "frame_embeddings")
DEFAULT_RESIZE = "squash"


def _square_image_processor(size: int, mean: list[float], std: list[float]):
    """Resize to a square without cropping: composition matters for aesthetics."""
    try:
        from transformers import SiglipImageProcessorPil as ImageProcessor
    except ImportError:  # older transformers
        from transformers import SiglipImageProcessor as ImageProcessor
    return ImageProcessor(size={"height": size, "width": size}, image_mean=mean, image_std=std)


FRAME_WORDS = {"<low>": "low", "<middle>": "middle", "<high>": "high", "<thematic>": "theme"}


@torch.no_grad()
def init_frame_embeddings(model: AestheticMLLMForConditionalGeneration, tokenizer) -> None:
    """Start each framing token's row at the mean embedding of its word (low, middle, high, theme)."""
    table = model.get_input_embeddings().weight
    for row, token in enumerate(LEVEL_TOKENS):
        ids = tokenizer(FRAME_WORDS[token], add_special_tokens=False)["input_ids"]
        model.frame_embeddings.weight[row] = table[ids].float().mean(0).to(model.frame_embeddings.weight.dtype)


@torch.no_grad()
def frame_embeddings_from_llm_rows(model: AestheticMLLMForConditionalGeneration) -> None:
    """For checkpoints saved before ``frame_embeddings`` existed: the rows the model then used."""
    rows = model.get_input_embeddings().weight[list(model.config.level_token_ids)]
    model.frame_embeddings.weight.copy_(rows.to(model.frame_embeddings.weight.dtype))


@torch.no_grad()
def _mean_init_rows(model, new_ids: list[int], old_rows: int) -> None:
    """Rows of newly added tokens start at the mean of the pre-existing rows (input and output)."""
    if not new_ids:
        return
    tables = [model.get_input_embeddings().weight]
    out = model.get_output_embeddings()
    if out is not None and out.weight is not tables[0]:
        tables.append(out.weight)
    for table in tables:
        table[new_ids] = table[:old_rows].float().mean(0).to(table.dtype)


def _token_ids(config: AestheticMLLMConfig, tokenizer) -> None:
    config.image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    config.level_token_ids = [tokenizer.convert_tokens_to_ids(t) for t in LEVEL_TOKENS]
    config.text_config.pad_token_id = tokenizer.pad_token_id
    config.text_config.eos_token_id = tokenizer.eos_token_id


def _new_token_ids(tokenizer) -> list[int]:
    """Add the special tokens; the ids of those the tokenizer did not have before."""
    before = set(tokenizer.get_vocab())
    add_special_tokens(tokenizer)
    return sorted(i for t, i in tokenizer.get_vocab().items() if t not in before)


def _finish(model: AestheticMLLMForConditionalGeneration, tokenizer, image_processor, new_ids: list[int],
            resize: str = DEFAULT_RESIZE):
    """Grow the embeddings for added tokens (mean rows), start the frame rows, build the processor."""
    old_rows = model.get_input_embeddings().num_embeddings
    if len(tokenizer) > old_rows:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    _mean_init_rows(model, new_ids, old_rows)
    init_frame_embeddings(model, tokenizer)
    model.language_model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.language_model.generation_config.eos_token_id = tokenizer.eos_token_id
    config = model.config
    processor = AestheticProcessor(image_processor, tokenizer, config.num_queries, config.num_thematic_tokens,
                                   resize=resize, image_size=_vision_image_size(config.vision_config))
    return model, processor


def _vision_image_size(vision_config) -> int | None:
    size = getattr(vision_config, "image_size", None)
    return size if isinstance(size, int) else None


def _part_dtype(part: str, dtype: torch.dtype, fp32_parts: Sequence[str]) -> torch.dtype:
    return torch.float32 if part in fp32_parts else dtype


def cast_parts(model: nn.Module, dtype: torch.dtype, fp32_parts: Sequence[str] = ()) -> nn.Module:
    """Store every top-level part in ``dtype`` except ``fp32_parts`` (the parts that will train)."""
    for part in PARTS:
        getattr(model, part).to(_part_dtype(part, dtype, fp32_parts))
    return model


def _compose(config: AestheticMLLMConfig, vision: nn.Module, llm: nn.Module, dtype: torch.dtype,
             fp32_parts: Sequence[str]) -> AestheticMLLMForConditionalGeneration:
    """The composite around already-loaded parts: built on the meta device, the parts assigned in.

    Only the new parts (MFA, frame rows) are allocated and initialised; the vision tower and the
    LLM are the modules ``from_pretrained`` loaded (once, memory-mapped where no dtype cast was
    needed), never copied.
    """
    from accelerate import init_empty_weights

    with init_empty_weights():
        model = AestheticMLLMForConditionalGeneration(config)
    model.vision_tower, model.language_model = vision, llm
    model.config.vision_config, model.config.text_config = vision.config, llm.config
    fresh = {"mfa": MultiScaleFeatureAlignment(config),
             "frame_embeddings": nn.Embedding(len(LEVEL_TOKENS), config.text_config.hidden_size)}
    for name, module in fresh.items():
        for sub in module.modules():
            model._init_weights(sub)
        setattr(model, name, module.to(_part_dtype(name, dtype, fp32_parts)))
    return model


def from_preset(name: str = "tiny", vision: str | None = None, llm: str = "llama", template: str = "chatml",
                resize: str = DEFAULT_RESIZE, **config_overrides: Any):
    """A randomly initialised model of a preset size with the offline tokenizer."""
    preset = get_preset(name)
    tokenizer = build_tiny_tokenizer(preset.vocab_size, template=template)
    new_ids = _new_token_ids(tokenizer)
    settings = {"num_queries": list(preset.num_queries), "mfa_hidden_size": preset.mfa_hidden,
                "mfa_num_heads": preset.heads, **config_overrides}
    config = AestheticMLLMConfig(
        vision_config=vision_config_dict(preset, vision),
        text_config=text_config_dict(preset, llm, vocab_size=len(tokenizer)), **settings,
    )
    _token_ids(config, tokenizer)
    image_processor = _square_image_processor(preset.image_size, [0.5] * 3, [0.5] * 3)
    return _finish(AestheticMLLMForConditionalGeneration(config), tokenizer, image_processor, new_ids, resize)


def vision_class_and_config(vision_dir: str | Path):
    """The vision-model class and config of a local dir (the vision half of a full CLIP/SigLIP)."""
    vision_cfg = AutoConfig.from_pretrained(vision_dir)
    if hasattr(vision_cfg, "vision_config"):  # a full CLIP/SigLIP checkpoint: keep the vision half
        vision_cfg = vision_cfg.vision_config
    return AutoModel._model_mapping[type(vision_cfg)], vision_cfg


def from_parts(vision_dir: str | Path, llm_dir: str | Path, dtype: torch.dtype = torch.float32,
               fp32_parts: Sequence[str] = (), resize: str = DEFAULT_RESIZE, **config_overrides: Any):
    """Compose from a local vision-model directory and a local causal-LM directory.

    Each part is read once by its own ``from_pretrained`` (low memory: meta init, then the
    checkpoint tensors) in ``dtype`` (fp32 for ``fp32_parts``); the composite takes those modules
    as they are.
    """
    vision_cls, vision_cfg = vision_class_and_config(vision_dir)
    vision = vision_cls.from_pretrained(vision_dir, config=vision_cfg,
                                        dtype=_part_dtype("vision_tower", dtype, fp32_parts))
    llm = AutoModelForCausalLM.from_pretrained(llm_dir, dtype=_part_dtype("language_model", dtype, fp32_parts))
    tokenizer = AutoTokenizer.from_pretrained(llm_dir)
    image_processor = AutoImageProcessor.from_pretrained(vision_dir)
    return _assemble(vision, llm, tokenizer, image_processor, dtype, fp32_parts, resize, config_overrides)


def _assemble(vision, llm, tokenizer, image_processor, dtype, fp32_parts, resize, config_overrides):
    new_ids = _new_token_ids(tokenizer)
    llm.config.pad_token_id, llm.config.eos_token_id = tokenizer.pad_token_id, tokenizer.eos_token_id
    config = AestheticMLLMConfig(vision_config=vision.config.to_dict(), text_config=llm.config.to_dict(),
                                 **config_overrides)
    _token_ids(config, tokenizer)
    # the meta skeleton's LLM is replaced by ``llm``; sized for every id so a new pad token fits its embedding
    config.text_config.vocab_size = max(config.text_config.vocab_size, len(tokenizer))
    model = _compose(config, vision, llm, dtype, fp32_parts)
    return _finish(model, tokenizer, image_processor, new_ids, resize)


@contextmanager
def _strict_fp32(cls, patterns: Sequence[str]):
    """Keep modules matching ``patterns`` in fp32 while ``cls.from_pretrained`` loads in half precision."""
    old = cls.__dict__.get("_keep_in_fp32_modules_strict", _MISSING)
    cls._keep_in_fp32_modules_strict = [*(getattr(cls, "_keep_in_fp32_modules_strict", None) or []), *patterns]
    try:
        yield
    finally:
        if old is _MISSING:
            del cls._keep_in_fp32_modules_strict
        else:
            cls._keep_in_fp32_modules_strict = old


_MISSING = object()
_LLAVA_FP32 = {"vision_tower": ["vision_tower"], "language_model": ["language_model", "lm_head"]}


def from_llava(llava_dir: str | Path, dtype: torch.dtype = torch.float32, fp32_parts: Sequence[str] = (),
               resize: str = DEFAULT_RESIZE, **config_overrides: Any):
    """Initialise from a local ``llava-hf`` checkpoint, reusing its vision tower and LLM (no copies)."""
    from accelerate import init_empty_weights
    from transformers import LlavaForConditionalGeneration

    patterns = [p for part in fp32_parts for p in _LLAVA_FP32.get(part, [])]
    with _strict_fp32(LlavaForConditionalGeneration, patterns if dtype != torch.float32 else []):
        llava = LlavaForConditionalGeneration.from_pretrained(llava_dir, dtype=dtype)
    text_cfg = llava.config.text_config
    with init_empty_weights():
        llm = AutoModelForCausalLM.from_config(text_cfg)
    setattr(llm, llm.base_model_prefix, llava.model.language_model)
    llm.set_output_embeddings(llava.lm_head)
    vision = llava.model.vision_tower
    del llava
    tokenizer = AutoTokenizer.from_pretrained(llava_dir)
    image_processor = AutoImageProcessor.from_pretrained(llava_dir)
    return _assemble(vision, llm, tokenizer, image_processor, dtype, fp32_parts, resize, config_overrides)


def save_model(model, processor: AestheticProcessor, out_dir: str | Path) -> Path:
    """Save model weights (safetensors), config, processor files and a ``README.md`` model card to ``out_dir``."""
    from ..model_card import write_model_card

    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    write_model_card(out_dir)
    return out_dir


def _own_memory(model):
    """Copy CPU weights out of the memory-mapped checkpoint into the process's own memory.

    Mapped views may sit at alignments that change BLAS kernel choice (last-bit differences
    from the saved model) and tie the model to a file a later save may overwrite.
    """
    for param in model.parameters():
        if param.device.type == "cpu" and param.dtype.is_floating_point:
            param.data = param.data.clone()
    return model


def is_adapter_dir(path: str | Path) -> bool:
    return (Path(path) / "adapter_config.json").is_file()


def _from_pretrained(path, fp32_parts: Sequence[str], **kwargs):
    """``from_pretrained`` keeping ``fp32_parts`` in fp32; frame rows for checkpoints that lack them."""
    with keep_in_fp32(fp32_parts):
        model, info = AestheticMLLMForConditionalGeneration.from_pretrained(path, output_loading_info=True, **kwargs)
    if any(k.startswith("frame_embeddings.") for k in info["missing_keys"]):
        frame_embeddings_from_llm_rows(model)
    return _own_memory(model)


def attention_plan(config: AestheticMLLMConfig, attn_implementation: str) -> str | dict[str, str]:
    """``attn_implementation`` for every part, but ``eager`` for a vision tower that has no attention
    to dispatch (ConvNeXt, ResNet: transformers refuses ``sdpa`` for them)."""
    vision_cls = AutoModel._model_mapping.get(type(config.vision_config), None)
    flag = "_supports_flash_attn" if attn_implementation.startswith("flash") else "_supports_sdpa"
    if attn_implementation == "eager" or vision_cls is None or getattr(vision_cls, flag, False):
        return attn_implementation
    return {"": attn_implementation, "text_config": attn_implementation, "vision_config": "eager"}


def load_model(path: str | Path, dtype: str = "float32", attn_implementation: str = "sdpa",
               quantization_config=None, device_map=None, fp32_parts: Sequence[str] = ()):
    """Load a saved model (or a base model + PEFT adapter dir) and its processor.

    For an adapter directory, the base model path is read from ``adapter_config.json``.
    ``path`` is resolved to an absolute path first: it becomes the model's ``name_or_path``, which
    an adapter trained on it stores as its base, loadable from any working directory.
    With a half-precision ``dtype``, ``fp32_parts`` (e.g. ``["mfa", "frame_embeddings"]``, the
    parts that will train) are read in fp32.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: model directory not found")
    kwargs = {"dtype": DTYPES[dtype], "attn_implementation": attn_implementation}
    if quantization_config is not None:
        kwargs["quantization_config"] = quantization_config
    if device_map is not None:
        kwargs["device_map"] = device_map
    if is_adapter_dir(path):
        from peft import PeftConfig, PeftModel

        base_path = PeftConfig.from_pretrained(path).base_model_name_or_path
        kwargs["attn_implementation"] = attention_plan(AutoConfig.from_pretrained(base_path), attn_implementation)
        base = _from_pretrained(base_path, fp32_parts, **kwargs)
        processor_dir = path if has_saved_processor(path) else base_path
        return PeftModel.from_pretrained(base, path), AestheticProcessor.from_pretrained(processor_dir)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path}: no config.json; not a saved model directory")
    kwargs["attn_implementation"] = attention_plan(AutoConfig.from_pretrained(path), attn_implementation)
    return _from_pretrained(path, fp32_parts, **kwargs), AestheticProcessor.from_pretrained(path)


def init_model(out_dir: str | Path, preset: str = "tiny", vision: str | None = None, llm: str | None = None,
               llava: str | None = None, resize: str = DEFAULT_RESIZE, **config_overrides: Any) -> Path:
    """Compose a model (preset, local parts or LLaVA checkpoint) and save it with its processor."""
    if llava:
        model, processor = from_llava(llava, resize=resize, **config_overrides)
    elif vision or llm:
        if not (vision and llm):
            raise ValueError("--vision and --llm must be given together")
        model, processor = from_parts(vision, llm, resize=resize, **config_overrides)
    else:
        model, processor = from_preset(preset, resize=resize, **config_overrides)
    return save_model(model, processor, out_dir)


def build_model(cfg, quantization_config=None):
    """Model + processor from a recipe's ``ModelConfig``: saved dir, LLaVA, local parts or preset.

    Parts that the recipe's adaptation trains are held in fp32 (they are the optimizer's master
    weights; autocast runs the matmuls in ``model.dtype``); frozen parts are stored in
    ``model.dtype``. Each part is read at that precision straight from its checkpoint.
    """
    from .adaptation import trainable_parts

    dtype = DTYPES[cfg.dtype]
    fp32 = trainable_parts(cfg.adaptation) if dtype != torch.float32 else ()
    if cfg.path:
        model, processor = load_model(cfg.path, dtype=cfg.dtype, attn_implementation=cfg.attn_implementation,
                                      quantization_config=quantization_config, fp32_parts=fp32)
    else:
        if quantization_config is not None:
            raise ValueError("4-bit QLoRA loads a saved model: set model.path (e.g. the output of init-model or "
                             "stage 1)")
        if cfg.from_llava:
            model, processor = from_llava(cfg.from_llava, dtype=dtype, fp32_parts=fp32)
        elif cfg.vision and cfg.llm:
            model, processor = from_parts(cfg.vision, cfg.llm, dtype=dtype, fp32_parts=fp32)
        else:
            model, processor = from_preset(cfg.preset)
            cast_parts(model, dtype, fp32)
        model.set_attn_implementation(attention_plan(model.config, cfg.attn_implementation))
    if getattr(cfg, "resize", None):
        processor.resize = cfg.resize
    return model, processor
