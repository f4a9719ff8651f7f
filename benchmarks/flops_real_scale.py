"""Counted forward+backward FLOPs per stage-2 sample: MFA model vs LLaVA-1.5, at full size, no weights.

Both models are built on the meta device from configs (CLIP ViT-L/14-336 + Llama-2-7B by default),
so nothing is allocated or downloaded; ``torch.utils.flop_counter.FlopCounterMode`` counts the
matmul/conv/attention FLOPs of what runs in one train step of the stage-2 recipe
(``recipes/stage2/clip_l336_llama7b_lora.yaml``): the vision tower frozen (forward only, no
backward reaches it), the connector trainable (the MFA, or LLaVA-1.5's 2-layer MLP projector on the
576 patch tokens of layer -2), LoRA on every LLM projection (frozen base weights: backward computes
activation gradients and the adapters' weight gradients only). The LLaVA baseline is transformers'
own ``LlavaForConditionalGeneration`` under the same recipe. Parts are counted one by one on leaf
inputs; the total is one joint step, and what it runs beyond the parts is backward through the
frozen vision tower (transformers 5's ``enable_input_require_grads``, called for LoRA, also hooks the
vision tower's patch embedding, so activation gradients flow through all its layers to no weight):
it is counted in "vision" and shown on its own. Run:

    .venv/bin/python benchmarks/flops_real_scale.py [--text 64,256] [--images 1,11] [--gradient-checkpointing]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

#: CLIP ViT-L/14-336 (openai/clip-vit-large-patch14-336), vision half.
CLIP_L336 = {"model_type": "clip_vision_model", "hidden_size": 1024, "intermediate_size": 4096,
             "num_hidden_layers": 24, "num_attention_heads": 16, "image_size": 336, "patch_size": 14,
             "hidden_act": "quick_gelu", "projection_dim": 768}
#: Llama-2-7B (meta-llama/Llama-2-7b-hf).
LLAMA2_7B = {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32000,
             "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "tie_word_embeddings": False}
#: Qwen2-0.5B (Qwen/Qwen2-0.5B): a full-depth LLM that trains on a CPU.
QWEN2_05B = {"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
             "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
             "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "tie_word_embeddings": True}
#: The stage-2 recipe's adaptation (recipes/stage2/clip_l336_llama7b_lora.yaml).
RECIPE_LORA = {"method": "lora", "lora_r": 64, "lora_alpha": 128, "train_mfa": True, "train_vision": False}
EXTRA_TOKENS = 5  # <image> and the four level tokens the tokenizer gains


@dataclass
class Built:
    """A model ready for one stage-2 step, and how to run its parts."""

    kind: str  # "mfa" or "llava"
    model: torch.nn.Module  # what the trainer steps (PeftModel)
    core: torch.nn.Module  # the multimodal model under the adapters
    image_positions: int  # LLM positions one image takes
    image_features: int  # of which filled by connector outputs (the rest are framing-token embeddings)


def _lora_config(adaptation: dict[str, Any], modules_to_save: list[str]):
    from peft import LoraConfig

    from aesthetic_mllm.config import AdaptationConfig
    from aesthetic_mllm.model.adaptation import lora_target_regex

    cfg = AdaptationConfig(**adaptation)
    return LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=lora_target_regex(cfg.lora_target_modules), modules_to_save=modules_to_save)


def _construct(cls, config, device: str, dtype: torch.dtype | None):
    """``cls(config)`` on ``device``, its weights created in ``dtype`` (default: torch's default)."""
    previous = torch.get_default_dtype()
    if dtype is not None:
        torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            return cls(config)
    finally:
        torch.set_default_dtype(previous)


def build_mfa(vision: dict, text: dict, adaptation: dict | None = None, device: str = "meta",
              gradient_checkpointing: bool = False, attn: str = "sdpa", dtype: torch.dtype | None = None,
              image_token_id: int | None = None, level_token_ids: list[int] | None = None, **mfa_overrides) -> Built:
    """Our model (default MFA sizes) with the recipe's adaptation applied by the project's own code.

    Token ids default to the ids just past the text vocabulary (the tokenizer gains five tokens).
    """
    from aesthetic_mllm.config import AdaptationConfig
    from aesthetic_mllm.model.adaptation import apply_adaptation
    from aesthetic_mllm.model.configuration import AestheticMLLMConfig
    from aesthetic_mllm.model.modeling import AestheticMLLMForConditionalGeneration

    vocab = text["vocab_size"]
    config = AestheticMLLMConfig(vision_config=dict(vision), text_config={**text, "vocab_size": vocab + EXTRA_TOKENS},
                                 image_token_id=vocab if image_token_id is None else image_token_id,
                                 level_token_ids=level_token_ids or list(range(vocab + 1, vocab + 5)), **mfa_overrides)
    config._attn_implementation = attn
    core = _construct(AestheticMLLMForConditionalGeneration, config, device, dtype)
    core.train()
    model = apply_adaptation(core, AdaptationConfig(**(adaptation or RECIPE_LORA)), gradient_checkpointing)
    return Built("mfa", model, core, config.image_seq_length, config.num_image_features)


def build_llava(vision: dict, text: dict, adaptation: dict | None = None, device: str = "meta",
                gradient_checkpointing: bool = False, attn: str = "sdpa", dtype: torch.dtype | None = None) -> Built:
    """transformers' ``LlavaForConditionalGeneration`` (LLaVA-1.5 layout) under the same adaptation."""
    from peft import get_peft_model
    from transformers import LlavaConfig, LlavaForConditionalGeneration

    adaptation = adaptation or RECIPE_LORA
    vocab = text["vocab_size"]
    patches = (vision["image_size"] // vision["patch_size"]) ** 2
    config = LlavaConfig(vision_config=dict(vision), text_config={**text, "vocab_size": vocab + 1},
                         image_token_index=vocab, image_seq_length=patches, vision_feature_layer=-2,
                         vision_feature_select_strategy="default", projector_hidden_act="gelu")
    config._attn_implementation = attn
    core = _construct(LlavaForConditionalGeneration, config, device, dtype)
    core.train()
    for name, param in core.named_parameters():
        param.requires_grad = "multi_modal_projector" in name
    if gradient_checkpointing:
        core.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if adaptation["method"] in ("lora", "qlora"):
        core.enable_input_require_grads()
        model = get_peft_model(core, _lora_config(adaptation, ["multi_modal_projector"]))
    else:
        model = core
    return Built("llava", model, core, patches, patches)


# --- the three parts of one step, on leaf inputs ------------------------------------------------
def vision_features(built: Built, pixels: torch.Tensor):
    """Vision tower forward (frozen): what the connector reads."""
    core = built.core
    if built.kind == "mfa":
        return core.vision_tower(pixel_values=pixels.to(core.vision_tower.dtype), output_hidden_states=True).hidden_states
    tower = core.model.vision_tower
    return tower(pixel_values=pixels.to(tower.dtype), output_hidden_states=True).hidden_states


def connector(built: Built, hidden_states) -> torch.Tensor:
    """(images, features, llm_hidden) tokens from the MFA or LLaVA's projector."""
    core = built.core
    if built.kind == "mfa":
        return core.mfa(hidden_states).flat()
    return core.model.multi_modal_projector(hidden_states[-2][:, 1:])


def llm_embeds(built: Built, features: torch.Tensor, text_tokens: int, images_per_sample: int) -> torch.Tensor:
    """One sample's LLM input: text embeddings, then each image's framing embeddings + features."""
    embed = built.core.get_input_embeddings()
    batch = features.shape[0] // images_per_sample
    framing = built.image_positions - built.image_features
    ids = torch.zeros(batch, text_tokens + framing * images_per_sample, dtype=torch.long, device=features.device)
    text = embed(ids)
    feats = features.to(text.dtype).reshape(batch, images_per_sample * built.image_features, -1)
    return torch.cat([text, feats], dim=1)


def llm_loss(built: Built, embeds: torch.Tensor, labels: torch.Tensor | None = None,
             attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Causal-LM loss over the sequence (every position labelled: logits are computed for all)."""
    if labels is None:
        labels = torch.zeros(embeds.shape[:2], dtype=torch.long, device=embeds.device)
    return built.core(inputs_embeds=embeds, labels=labels, attention_mask=attention_mask).loss


def train_step(built: Built, pixels: torch.Tensor, text_tokens: int, images_per_sample: int,
               labels: torch.Tensor | None = None) -> torch.Tensor:
    """Forward + backward of one stage-2 step (vision -> connector -> LLM), as the trainer runs it."""
    hidden = vision_features(built, pixels)
    feats = connector(built, hidden)
    loss = llm_loss(built, llm_embeds(built, feats, text_tokens, images_per_sample), labels)
    loss.backward()
    return loss


def _count(fn) -> int:
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def _pixels(built: Built, count: int) -> torch.Tensor:
    vision = built.core.config.vision_config
    device = next(built.core.parameters()).device
    return torch.zeros(count, 3, vision.image_size, vision.image_size, device=device)


def count_step(built: Built, text_tokens: int, images: int, batch: int = 1) -> int:
    """FLOPs of one whole step (``batch`` samples of ``images`` images and ``text_tokens`` text tokens)."""
    flops = _count(lambda: train_step(built, _pixels(built, batch * images), text_tokens, images))
    built.model.zero_grad(set_to_none=True)
    return flops


def count_parts(built: Built, text_tokens: int, images: int, batch: int = 1) -> dict[str, float]:
    """FLOPs per part of one step (``batch`` samples of ``images`` images each) and the joint total."""
    device = next(built.core.parameters()).device
    pixels = _pixels(built, batch * images)
    out: dict[str, Any] = {}

    def run_vision():
        out["hidden"] = [h.detach() for h in vision_features(built, pixels)]

    def run_connector():
        feats = connector(built, out["hidden"])
        feats.backward(torch.ones_like(feats))
        out["feats_shape"] = feats.shape

    def run_llm():
        leaf = torch.zeros(out["feats_shape"], device=device, requires_grad=True)
        llm_loss(built, llm_embeds(built, leaf, text_tokens, images)).backward()

    parts = {"vision_forward": _count(run_vision), "connector": _count(run_connector), "llm": _count(run_llm)}
    built.model.zero_grad(set_to_none=True)
    joint = count_step(built, text_tokens, images, batch)
    # what the joint step runs beyond the parts on leaf inputs: backward through the frozen vision
    # tower, which runs when its embeddings' output is made to require grad
    extra = joint - sum(parts.values())
    if extra < -1e-3 * joint:
        raise RuntimeError(f"{built.kind}: parts sum to more FLOPs than the joint step ({joint:.4g})")
    seq = text_tokens + images * built.image_positions
    return {**{k: float(v) for k, v in parts.items()}, "vision_backward": float(max(extra, 0)),
            "vision": float(parts["vision_forward"] + max(extra, 0)), "total": float(joint),
            "total_without_vision_backward": float(sum(parts.values())), "llm_seq": seq}


def table(vision: dict, text: dict, texts: list[int], images: list[int], gradient_checkpointing: bool) -> list[dict]:
    """Per-(text tokens, images) FLOPs of both models and their ratios."""
    models = {kind: build(vision, text, gradient_checkpointing=gradient_checkpointing)
              for kind, build in (("mfa", build_mfa), ("llava", build_llava))}
    rows = []
    for n_img in images:
        for n_text in texts:
            row: dict[str, Any] = {"text_tokens": n_text, "images": n_img}
            for kind, built in models.items():
                row[kind] = count_parts(built, n_text, n_img)
            row["ratio"] = {p: row["mfa"][p] / row["llava"][p]
                            for p in ("vision", "connector", "llm", "total", "total_without_vision_backward")}
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default="64,256", help="text tokens per sample (comma list)")
    parser.add_argument("--images", default="1,11", help="images per sample (11 = 10-shot PIAA + query)")
    parser.add_argument("--llm", choices=("llama2-7b", "qwen2-0.5b"), default="llama2-7b")
    parser.add_argument("--gradient-checkpointing", action="store_true", help="as the real-scale recipes set it")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    text = LLAMA2_7B if args.llm == "llama2-7b" else QWEN2_05B
    rows = table(CLIP_L336, text, [int(x) for x in args.text.split(",")], [int(x) for x in args.images.split(",")],
                 args.gradient_checkpointing)
    print(f"stage-2 step FLOPs per sample (forward + backward, TFLOP), CLIP ViT-L/14-336 + {args.llm}, LoRA r=64 on "
          f"the LLM, connector trainable, vision frozen, gradient checkpointing "
          f"{'on' if args.gradient_checkpointing else 'off'}; counted by torch FlopCounterMode on the meta device")
    head = f"{'text':>4} {'img':>3} {'seq ours/llava':>15} | {'vision':>13} {'MFA/proj':>15} {'LLM':>15} {'total':>15}"
    print(head + "\n" + "-" * len(head))
    for r in rows:
        m, lv, q = r["mfa"], r["llava"], r["ratio"]
        cells = " ".join(f"{m[p] / 1e12:6.3f}/{lv[p] / 1e12:<6.3f}{'':>{2 if p == 'vision' else 4}}"
                         for p in ("vision", "connector", "llm", "total"))
        print(f"{r['text_tokens']:>4} {r['images']:>3} {m['llm_seq']:>6}/{lv['llm_seq']:<8} | {cells}")
        print(f"{'':>4} {'':>3} {'ratio ours/llava':>15} | {q['vision']:>13.2f} {q['connector']:>15.3f} "
              f"{q['llm']:>15.3f} {q['total']:>15.3f}")
        print(f"{'':>4} {'':>3} {'':>15} | of vision, backward of the frozen tower: {m['vision_backward'] / 1e12:.3f}/"
              f"{lv['vision_backward'] / 1e12:.3f}; total without it {m['total_without_vision_backward'] / 1e12:.3f}/"
              f"{lv['total_without_vision_backward'] / 1e12:.3f} = {q['total_without_vision_backward']:.3f}x")
    first = next((r for r in rows if r["text_tokens"] == 64 and r["images"] == 1), None)
    if first is not None:
        verdict = "met" if first["ratio"]["total"] <= 0.4 else "NOT met"
        print(f"target: ours <= 0.4x LLaVA-1.5 at 64 text tokens, 1 image -> {first['ratio']['total']:.3f}x ({verdict})")
    if any(r["llava"]["llm_seq"] > text["max_position_embeddings"] for r in rows):
        print(f"note: LLaVA-1.5 rows longer than {text['max_position_embeddings']} positions do not fit its context "
              "(counted anyway)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
