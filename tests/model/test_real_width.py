"""Real widths, reduced depth, on CPU: two stage-2 steps through ``train()`` and one scored image.

CLIP ViT-L/14 at 336 px (1024 wide, 2 of its 24 layers) + a Llama-2-7B-wide LLM (4096 wide,
11008 MLP, 32 heads, 2 of its 32 layers) with the real 32k SentencePiece vocabulary
(``mistral-common``'s ``tokenizer.model.v1``) and Llama-2's chat template; recipe with
``model.vision`` / ``model.llm``, bf16 autocast, LoRA, gradient checkpointing. At these widths
shape and dtype seams (fp32 trainable vs bf16 frozen, 577 patches, 4096-wide MFA projections,
32k-row embeddings grown by the special tokens) are exercised as at 7B scale.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import torch
import yaml
from transformers import (
    CLIPImageProcessor,
    CLIPVisionConfig,
    CLIPVisionModel,
    LlamaConfig,
    LlamaForCausalLM,
    TrainerCallback,
)

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.model.processor import AestheticProcessor
from aesthetic_mllm.scoring import AestheticScorer
from aesthetic_mllm.train import train

from ..chat_templates import LLAMA2_TEMPLATE

CLIP_MEAN, CLIP_STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]


def _save_random(model_cls, config, out: Path, dtype: torch.dtype) -> None:
    """Save ``model_cls(config)`` with random weights without running its (slow, 666M-draw) init.

    Weights tile one random block of prime length (rows differ), norms are ones: good enough for
    shapes, dtypes and a finite loss, and seconds instead of half a minute on two cores.
    """
    from safetensors.torch import save_file

    with torch.device("meta"):
        skeleton = model_cls(config)
    block = torch.randn(1_000_003, generator=torch.Generator().manual_seed(0)).mul_(0.02).to(dtype)
    state = {}
    for name, p in skeleton.state_dict().items():
        if "norm" in name and name.endswith("weight"):
            state[name] = torch.ones(p.shape, dtype=dtype)
        else:
            n = p.numel()
            state[name] = block.repeat(n // block.numel() + 1)[:n].view(p.shape).clone()
    config.save_pretrained(out)
    save_file(state, out / "model.safetensors", metadata={"format": "pt"})


def _write_parts(root: Path) -> None:
    import mistral_common
    from transformers import LlamaTokenizer

    _save_random(CLIPVisionModel, CLIPVisionConfig(hidden_size=1024, intermediate_size=4096, num_hidden_layers=2,
                                                   num_attention_heads=16, image_size=336, patch_size=14,
                                                   hidden_act="quick_gelu", projection_dim=768),
                 root / "vision", torch.float32)  # the published CLIP checkpoint is fp32
    CLIPImageProcessor(size={"shortest_edge": 336}, crop_size={"height": 336, "width": 336}, resample=3,
                       image_mean=CLIP_MEAN, image_std=CLIP_STD).save_pretrained(root / "vision")
    sp = root / "sp"
    sp.mkdir()
    shutil.copy(Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1", sp / "tokenizer.model")
    tokenizer = LlamaTokenizer.from_pretrained(sp)
    tokenizer.chat_template = LLAMA2_TEMPLATE
    llm_config = LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=2, num_attention_heads=32,
                             num_key_value_heads=32, vocab_size=len(tokenizer), max_position_embeddings=4096,
                             rms_norm_eps=1e-5, bos_token_id=tokenizer.bos_token_id,
                             eos_token_id=tokenizer.eos_token_id, tie_word_embeddings=False)
    _save_random(LlamaForCausalLM, llm_config, root / "llm", torch.bfloat16)  # 7B checkpoints ship in 16-bit
    tokenizer.save_pretrained(root / "llm")


class KeepModel(TrainerCallback):
    """Keeps the trained model and the logged losses (the adapter's base was composed in memory)."""

    def __init__(self):
        self.model, self.logs = None, []

    def on_log(self, args, state, control, logs=None, **kwargs):
        self.logs.append(dict(logs or {}))

    def on_train_end(self, args, state, control, model=None, **kwargs):
        self.model = model


@pytest.mark.slow
@pytest.mark.skipif(torch.backends.cpu.get_cpu_capability() not in ("AVX512", "SVE256"),
                    reason="bf16 on a CPU without AVX-512 is emulated: the two real-width steps took over 23 "
                           "minutes on a 2-core AVX2 machine (the GPU suite runs this path on CUDA)")
def test_real_width_stage2_lora_bf16_checkpointed_trains_and_scores(tmp_path, photos):
    pytest.importorskip("mistral_common", reason="the dev extra ships the 32k SentencePiece tokenizer")
    start = time.perf_counter()
    _write_parts(tmp_path)
    recipe_file = tmp_path / "recipe.yaml"
    recipe_file.write_text(yaml.safe_dump({
        "stage": "stage2", "description": "real widths, 2 layers each",
        "model": {"vision": str(tmp_path / "vision"), "llm": str(tmp_path / "llm"), "dtype": "bfloat16",
                  "gradient_checkpointing": True,
                  "adaptation": {"method": "lora", "lora_r": 8, "lora_alpha": 16, "train_mfa": True}},
        "data": {"sources": [{"name": "world", "split": "train", "limit": 4, "options": {"subset": "scoring"}}],
                 "max_length": 320},
        "tasks": {"scoring": 1.0, "soft_labels": True},
        "train": {"output_dir": str(tmp_path / "out"), "max_steps": 2, "per_device_batch_size": 1,
                  "mixed_precision": "bf16", "logging_steps": 1, "progress": False, "warmup_ratio": 0,
                  "save_steps": 0, "lr": 1e-4},
    }))
    recipe = load_recipe(recipe_file)
    written = time.perf_counter()
    kept = KeepModel()
    out = train(recipe, callbacks=[kept])
    trained = time.perf_counter()
    assert (out / "adapter_config.json").is_file()
    model = kept.model
    dtypes = {p.dtype for p in model.parameters() if p.requires_grad}
    assert dtypes == {torch.float32} and model.base_model.model.language_model.dtype == torch.bfloat16
    logged = [row["loss"] for row in kept.logs if "loss" in row]
    assert len(logged) == 2 and all(torch.isfinite(torch.tensor(logged)))
    # scored without autocast, as inference runs: bf16 frozen parts next to the fp32 trained ones
    scorer = AestheticScorer(model, AestheticProcessor.from_pretrained(out), score_range=(1, 10), batch_size=1)
    [result] = scorer.score(photos[:1])
    assert 1 <= result.score <= 10
    print(f"real-width run: parts written {written - start:.1f} s, 2 steps {trained - written:.1f} s, "
          f"scored in {time.perf_counter() - trained:.1f} s")
