"""Build, save and load models: presets, local parts, LLaVA checkpoints, saved dirs and adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoImageProcessor, AutoModel, AutoModelForCausalLM, AutoTokenizer

from .configuration import AestheticMLLMConfig
from .modeling import AestheticMLLMForConditionalGeneration
from .presets import get_preset, text_config_dict, vision_config_dict
from .processor import AestheticProcessor
from .special_tokens import IMAGE_TOKEN, LEVEL_TOKENS, add_special_tokens
from .tokenizer import build_tiny_tokenizer

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def _square_image_processor(size: int, mean: list[float], std: list[float]):
    """Resize to a square without cropping: composition matters for aesthetics."""
    try:
        from transformers import SiglipImageProcessorPil as ImageProcessor
    except ImportError:  # older transformers
        from transformers import SiglipImageProcessor as ImageProcessor
    return ImageProcessor(size={"height": size, "width": size}, image_mean=mean, image_std=std)


def _finish(config: AestheticMLLMConfig, tokenizer, image_processor, vision=None, llm=None):
    """Create the model (optionally with pretrained parts), sync token ids and embeddings."""
    added = add_special_tokens(tokenizer)
    config.image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    config.level_token_ids = [tokenizer.convert_tokens_to_ids(t) for t in LEVEL_TOKENS]
    config.text_config.pad_token_id = tokenizer.pad_token_id
    config.text_config.eos_token_id = tokenizer.eos_token_id
    model = AestheticMLLMForConditionalGeneration(config)
    if vision is not None:
        model.vision_tower.load_state_dict(vision.state_dict())
    if llm is not None:
        model.language_model.load_state_dict(llm.state_dict())
    if added or len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    model.language_model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.language_model.generation_config.eos_token_id = tokenizer.eos_token_id
    processor = AestheticProcessor(tokenizer, image_processor, config.num_queries, config.num_thematic_tokens)
    return model, processor


def from_preset(name: str = "tiny", vision: str = "clip", llm: str = "llama", template: str = "chatml",
                **config_overrides: Any):
    """A randomly initialised model of a preset size with the offline tokenizer."""
    preset = get_preset(name)
    tokenizer = build_tiny_tokenizer(preset.vocab_size, template=template)
    settings = {"num_queries": list(preset.num_queries), "mfa_hidden_size": preset.mfa_hidden,
                "mfa_num_heads": preset.heads, **config_overrides}
    config = AestheticMLLMConfig(
        vision_config=vision_config_dict(preset, vision),
        text_config=text_config_dict(preset, llm, vocab_size=len(tokenizer)), **settings,
    )
    image_processor = _square_image_processor(preset.image_size, [0.5] * 3, [0.5] * 3)
    return _finish(config, tokenizer, image_processor)


def from_parts(vision_dir: str | Path, llm_dir: str | Path, **config_overrides: Any):
    """Compose from a local vision-model directory and a local causal-LM directory."""
    vision_cfg = AutoConfig.from_pretrained(vision_dir)
    vision = AutoModel.from_pretrained(vision_dir)
    if hasattr(vision_cfg, "vision_config"):  # a full CLIP/SigLIP checkpoint: keep the vision half
        vision_cfg, full = vision_cfg.vision_config, vision
        vision = AutoModel.from_config(vision_cfg)
        vision.load_state_dict(full.vision_model.state_dict())
    llm = AutoModelForCausalLM.from_pretrained(llm_dir)
    tokenizer = AutoTokenizer.from_pretrained(llm_dir)
    image_processor = AutoImageProcessor.from_pretrained(vision_dir)
    config = AestheticMLLMConfig(vision_config=vision_cfg.to_dict(), text_config=llm.config.to_dict(),
                                 **config_overrides)
    return _finish(config, tokenizer, image_processor, vision=vision, llm=llm)


def from_llava(llava_dir: str | Path, **config_overrides: Any):
    """Initialise from a local ``llava-hf`` checkpoint, reusing its vision tower and LLM."""
    from transformers import LlavaForConditionalGeneration

    llava = LlavaForConditionalGeneration.from_pretrained(llava_dir)
    text_cfg = llava.config.text_config
    llm = AutoModelForCausalLM.from_config(text_cfg)
    getattr(llm, llm.base_model_prefix).load_state_dict(llava.model.language_model.state_dict())
    llm.get_output_embeddings().load_state_dict(llava.lm_head.state_dict())
    tokenizer = AutoTokenizer.from_pretrained(llava_dir)
    image_processor = AutoImageProcessor.from_pretrained(llava_dir)
    config = AestheticMLLMConfig(vision_config=llava.config.vision_config.to_dict(), text_config=text_cfg.to_dict(),
                                 **config_overrides)
    return _finish(config, tokenizer, image_processor, vision=llava.model.vision_tower, llm=llm)


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


def load_model(path: str | Path, dtype: str = "float32", attn_implementation: str = "sdpa",
               quantization_config=None, device_map=None):
    """Load a saved model (or a base model + PEFT adapter dir) and its processor.

    For an adapter directory, the base model path is read from ``adapter_config.json``.
    ``path`` is resolved to an absolute path first: it becomes the model's ``name_or_path``, which
    an adapter trained on it stores as its base, loadable from any working directory.
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
        base = _own_memory(AestheticMLLMForConditionalGeneration.from_pretrained(base_path, **kwargs))
        processor_dir = path if (path / "aesthetic_processor.json").is_file() else base_path
        return PeftModel.from_pretrained(base, path), AestheticProcessor.from_pretrained(processor_dir)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path}: no config.json; not a saved model directory")
    model = _own_memory(AestheticMLLMForConditionalGeneration.from_pretrained(path, **kwargs))
    return model, AestheticProcessor.from_pretrained(path)


def init_model(out_dir: str | Path, preset: str = "tiny", vision: str | None = None, llm: str | None = None,
               llava: str | None = None, **config_overrides: Any) -> Path:
    """Compose a model (preset, local parts or LLaVA checkpoint) and save it with its processor."""
    if llava:
        model, processor = from_llava(llava, **config_overrides)
    elif vision or llm:
        if not (vision and llm):
            raise ValueError("--vision and --llm must be given together")
        model, processor = from_parts(vision, llm, **config_overrides)
    else:
        model, processor = from_preset(preset, **config_overrides)
    return save_model(model, processor, out_dir)


def build_model(cfg, quantization_config=None):
    """Model + processor from a recipe's ``ModelConfig``: saved dir, LLaVA, local parts or preset."""
    if cfg.path:
        return load_model(cfg.path, dtype=cfg.dtype, attn_implementation=cfg.attn_implementation,
                          quantization_config=quantization_config)
    if cfg.from_llava:
        model, processor = from_llava(cfg.from_llava)
    elif cfg.vision and cfg.llm:
        model, processor = from_parts(cfg.vision, cfg.llm)
    else:
        model, processor = from_preset(cfg.preset)
    if quantization_config is not None:
        raise ValueError("4-bit QLoRA loads a saved model: set model.path (e.g. the output of init-model or stage 1)")
    model.set_attn_implementation(cfg.attn_implementation)
    return model.to(DTYPES[cfg.dtype]), processor
