"""One-command GPU suite: stage-2 train step, QLoRA memory, MFA vs LLaVA, scoring and in-context PIAA speed.

Random init, configs only, nothing downloaded. The full run (one GPU, about 8 minutes on an H200)
uses CLIP ViT-L/14-336 + a Llama-2-7B-shaped LLM:

- ``lora_bf16``: stage-2 train step of the recipe (``recipes/stage2/clip_l336_llama7b_lora.yaml``:
  vision frozen, MFA trainable, LoRA r=64 on the LLM, gradient checkpointing, bf16 autocast; frozen
  weights stored in bf16, trainable ones in fp32) per attention implementation (SDPA, and
  flash-attn 2 when it imports): tokens/s, MFU (model FLOPs per step counted by torch's FLOP
  counter on the meta device, without recomputation, over ``--peak-tflops``) and peak memory;
- ``mfa_vs_llava``: the same step for transformers' ``LlavaForConditionalGeneration`` (576 patch
  tokens, MLP projector), and the step-time ratio;
- ``scorer``: ``AestheticScorer`` images/s at batch 1 / 16 / 64;
- ``piaa``: ``PersonalScorer`` per-query cost at k = 10 shots, cached prefix vs uncached, vs zero-shot;
- ``qlora_4bit``: the QLoRA recipe (``recipes/stage2/qlora_single_24gb.yaml``) loaded through the
  project's ``load_model`` with its 4-bit config: peak memory of a train step.

It writes ``gpu_suite_<device>_<date>.json`` and ``.md`` under ``--out`` (``benchmarks/results``).
``--tiny`` runs the same code paths with tiny shapes on the CPU in seconds (CI). Run:

    .venv/bin/python benchmarks/gpu_suite.py            # on a GPU machine
    .venv/bin/python benchmarks/gpu_suite.py --tiny --out /tmp/suite
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import importlib.util
import json
import math
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flops_real_scale import (  # noqa: E402
    CLIP_L336,
    LLAMA2_7B,
    RECIPE_LORA,
    Built,
    build_llava,
    build_mfa,
    count_step,
)
from mfa_vs_projector import real_batch  # noqa: E402

H200_BF16_DENSE_TFLOPS = 989.0
TINY_VISION = {"model_type": "clip_vision_model", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 6,
               "num_attention_heads": 4, "image_size": 56, "patch_size": 14, "hidden_act": "quick_gelu"}
TINY_TEXT = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 1100, "max_position_embeddings": 4096,
             "tie_word_embeddings": False}
QLORA_RECIPE = {"method": "qlora", "quant_type": "nf4", "lora_r": 32, "lora_alpha": 64, "train_mfa": True}




# --- settings ------------------------------------------------------------------------------------
def settings(tiny: bool) -> dict[str, Any]:
    """Shapes and sizes of a run (full: real shapes on a GPU; tiny: the same code on a CPU in seconds)."""
    if tiny:
        return {"vision": TINY_VISION, "text": TINY_TEXT, "batch": 2, "text_tokens": 16, "warmup": 1, "steps": 1,
                "qlora_batch": 2, "scorer_batches": [1, 16, 64], "scorer_images": 64, "shots": 10, "queries": 4,
                "piaa_batch": 4, "repeats": 1, "photo_px": 64, "timing_warmup": False}
    return {"vision": CLIP_L336, "text": LLAMA2_7B, "batch": 16, "text_tokens": 64, "warmup": 2, "steps": 5,
            "qlora_batch": 4, "scorer_batches": [1, 16, 64], "scorer_images": 128, "shots": 10, "queries": 32,
            "piaa_batch": 16, "repeats": 3, "photo_px": 512, "timing_warmup": True}


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return platform.processor() or platform.machine() or "cpu"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "device"


# --- measuring -----------------------------------------------------------------------------------
def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_gb(device: torch.device) -> float:
    """Peak allocated GPU memory since the last reset; on a CPU the process's peak RSS."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def mixed_precision(model: torch.nn.Module, dtype: torch.dtype) -> None:
    """Frozen weights stored in ``dtype``, trainable ones in fp32 (they step under autocast)."""
    for param in model.parameters():
        if param.dtype.is_floating_point:
            param.data = param.data.to(torch.float32 if param.requires_grad else dtype)


def time_train_steps(model, batch: dict[str, torch.Tensor], device: torch.device, warmup: int, steps: int,
                     dtype: torch.dtype) -> dict[str, float]:
    """Median seconds of forward + backward + AdamW under autocast, and peak memory over the steps."""
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-5)
    batch = {k: v.to(device) for k, v in batch.items()}
    reset_peak(device)
    times = []
    for step in range(warmup + steps):
        sync(device)
        start = time.perf_counter()
        with torch.autocast(device.type, dtype=dtype):
            loss = model(**batch).loss
        loss.backward()
        optim.step()
        optim.zero_grad(set_to_none=True)
        sync(device)
        if step >= warmup:
            times.append(time.perf_counter() - start)
        if not math.isfinite(float(loss.detach())):
            raise FloatingPointError(f"non-finite loss {float(loss.detach())} at step {step}")
    del optim
    return {"step_s": statistics.median(times), "steps": len(times), "peak_mem_gb": peak_gb(device),
            "loss": float(loss.detach())}


def free_memory() -> None:
    """Collect what the caller has dropped and hand cached GPU blocks back."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# --- the model's tokenizer and processor (offline) -------------------------------------------------
def make_processor(cfg: dict[str, Any]):
    """The offline tokenizer + a square image processor at the encoder's size, as the presets use."""
    from transformers import SiglipImageProcessor

    from aesthetic_mllm.model.processor import AestheticProcessor
    from aesthetic_mllm.model.special_tokens import IMAGE_TOKEN, LEVEL_TOKENS, add_special_tokens
    from aesthetic_mllm.model.tokenizer import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer(1024)
    add_special_tokens(tokenizer)
    if len(tokenizer) > cfg["text"]["vocab_size"]:
        raise ValueError(f"the tokenizer has {len(tokenizer)} ids, more than the LLM's {cfg['text']['vocab_size']}")
    side = cfg["vision"]["image_size"]
    image_processor = SiglipImageProcessor(size={"height": side, "width": side}, image_mean=[0.5] * 3,
                                           image_std=[0.5] * 3)
    ids = {"image_token_id": tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
           "level_token_ids": [tokenizer.convert_tokens_to_ids(t) for t in LEVEL_TOKENS]}
    processor = AestheticProcessor(image_processor, tokenizer, [32, 32, 32], 1)
    return processor, ids


@functools.lru_cache(maxsize=4)
def _photo_set(side: int) -> tuple:
    from PIL import Image
    from skimage import data

    names = ["astronaut", "coffee", "chelsea", "rocket", "camera", "horse", "coins", "moon", "page", "text",
             "clock", "grass", "gravel", "brick"]
    base = [Image.fromarray(getattr(data, name)()).convert("RGB").resize((side, side)) for name in names]
    return tuple(base + [im.transpose(Image.FLIP_LEFT_RIGHT) for im in base])


def photos(n: int, side: int) -> list:
    """``n`` real photos (scikit-image samples, mirrored for more) at ``side`` px."""
    images = _photo_set(side)
    return [images[i % len(images)] for i in range(n)]


# --- sections --------------------------------------------------------------------------------------
def section_train(cfg, device, dtype, ids, peak_flops: float) -> dict[str, Any]:
    """Stage-2 LoRA bf16 train step of our model per attention implementation, and LLaVA's at SDPA."""
    out: dict[str, Any] = {}
    meta = build_mfa(cfg["vision"], cfg["text"], device="meta", **ids)
    model_flops = count_step(meta, cfg["text_tokens"], 1, cfg["batch"])
    del meta
    built = build_mfa(cfg["vision"], cfg["text"], device=str(device), dtype=dtype, gradient_checkpointing=True, **ids)
    mixed_precision(built.model, dtype)
    batch = real_batch(built, cfg["batch"], cfg["text_tokens"])
    tokens = int(batch["input_ids"].numel())
    attns = ["sdpa"] + (["flash_attention_2"] if importlib.util.find_spec("flash_attn") else [])
    for attn in attns:
        try:
            built.core.set_attn_implementation(attn)
            r = time_train_steps(built.model, batch, device, cfg["warmup"], cfg["steps"], dtype)
        except Exception as err:  # noqa: BLE001 - recorded, the suite goes on
            out[attn] = {"error": f"{type(err).__name__}: {err}"}
            continue
        out[attn] = {**r, "tokens_per_s": tokens / r["step_s"], "samples_per_s": cfg["batch"] / r["step_s"],
                     "model_flops_per_step": float(model_flops), "mfu": model_flops / r["step_s"] / peak_flops}
    if "flash_attention_2" not in attns:
        out["flash_attention_2"] = {"skipped": "flash_attn is not importable"}
    out.update({"batch": cfg["batch"], "seq_len": int(batch["input_ids"].shape[1]), "tokens_per_step": tokens,
                "lora_r": RECIPE_LORA["lora_r"], "gradient_checkpointing": True})
    del built, batch
    free_memory()
    return out


def section_mfa_vs_llava(cfg, device, dtype, ids, ours: dict[str, Any]) -> dict[str, Any]:
    """The same stage-2 step for transformers' LLaVA (576 tokens per image, MLP projector)."""
    meta = build_llava(cfg["vision"], cfg["text"], device="meta")
    llava_flops = count_step(meta, cfg["text_tokens"], 1, cfg["batch"])
    del meta
    built = build_llava(cfg["vision"], cfg["text"], device=str(device), dtype=dtype, gradient_checkpointing=True)
    mixed_precision(built.model, dtype)
    batch = real_batch(built, cfg["batch"], cfg["text_tokens"])
    r = time_train_steps(built.model, batch, device, cfg["warmup"], cfg["steps"], dtype)
    seq = int(batch["input_ids"].shape[1])
    del built, batch
    free_memory()
    mine = ours["sdpa"]
    return {"llava_step_s": r["step_s"], "llava_peak_mem_gb": r["peak_mem_gb"], "llava_seq_len": seq,
            "mfa_step_s": mine["step_s"], "mfa_peak_mem_gb": mine["peak_mem_gb"], "mfa_seq_len": ours["seq_len"],
            "step_ratio": mine["step_s"] / r["step_s"], "peak_mem_ratio": mine["peak_mem_gb"] / r["peak_mem_gb"],
            "counted_flops_ratio": mine["model_flops_per_step"] / llava_flops, "llava_model_flops_per_step": llava_flops}


def _inference_model(cfg, device, dtype, ids):
    built = build_mfa(cfg["vision"], cfg["text"], device=str(device), dtype=dtype,
                      adaptation={"method": "frozen", "train_mfa": False, "train_llm": False}, **ids)
    return built.core.eval()


def _best(fn: Callable[[], Any], device: torch.device, repeats: int, warmup: bool = True) -> float:
    if warmup:
        fn()
    best = float("inf")
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        best = min(best, time.perf_counter() - start)
    return best


def section_scorer(cfg, device, dtype, ids, processor) -> dict[str, Any]:
    """``AestheticScorer.score`` images/s (PIL images in, scores out) per batch size."""
    from aesthetic_mllm.scoring import AestheticScorer

    model = _inference_model(cfg, device, dtype, ids)
    images = photos(cfg["scorer_images"], cfg["photo_px"])
    out: dict[str, Any] = {}
    for b in cfg["scorer_batches"]:
        scorer = AestheticScorer(model, processor, score_range=(1, 5), batch_size=b)
        subset = images[:16] if b == 1 else images
        with torch.no_grad():
            seconds = _best(lambda s=scorer, x=subset: s.score(x), device, cfg["repeats"], cfg["timing_warmup"])
        out[f"batch{b}_images_per_s"] = len(subset) / seconds
    out["best_images_per_s"] = max(v for k, v in out.items() if k.endswith("_images_per_s"))
    del model, scorer
    free_memory()
    return out


def section_piaa(cfg, device, dtype, ids, processor) -> dict[str, Any]:
    """In-context PIAA per query at k shots: cached prefix vs the whole prompt, vs zero-shot scoring."""
    from aesthetic_mllm.scoring import AestheticScorer
    from aesthetic_mllm.scoring.personal import PersonalScorer

    model = _inference_model(cfg, device, dtype, ids)
    k, batch = cfg["shots"], cfg["piaa_batch"]
    images = photos(k + cfg["queries"], cfg["photo_px"])
    shots = [(im, 1.0 + 4.0 * i / max(1, k - 1)) for i, im in enumerate(images[:k])]
    queries = images[k:]
    with torch.no_grad():
        zero = AestheticScorer(model, processor, batch_size=batch)
        sync(device)
        start = time.perf_counter()
        personal = PersonalScorer(model, processor, shots, (1.0, 5.0), batch_size=batch)
        sync(device)
        prefix_s = time.perf_counter() - start

        def per_query(fn) -> float:
            def run():
                for i in range(0, len(queries), batch):
                    fn(queries[i:i + batch])
            return 1000 * _best(run, device, cfg["repeats"], cfg["timing_warmup"]) / len(queries)

        out = {"shots": k, "queries": len(queries), "batch": batch, "prefix_tokens": personal.prefix_length,
               "prefix_encode_ms": 1000 * prefix_s,
               "zero_shot_ms_per_query": per_query(zero.word_probabilities),
               "cached_ms_per_query": per_query(personal.word_probabilities),
               "uncached_ms_per_query": per_query(lambda b: personal.word_probabilities(b, use_cache=False))}
    out["cached_over_zero_shot"] = out["cached_ms_per_query"] / out["zero_shot_ms_per_query"]
    out["uncached_over_cached"] = out["uncached_ms_per_query"] / out["cached_ms_per_query"]
    return out


def section_qlora(cfg, device, dtype, ids, processor) -> dict[str, Any]:
    """The QLoRA recipe through the project's loader: 4-bit LLM, MFA full precision; peak memory of a step."""
    from aesthetic_mllm.config import AdaptationConfig
    from aesthetic_mllm.model.adaptation import apply_adaptation, quantization_config
    from aesthetic_mllm.model.loading import load_model, save_model

    adaptation = AdaptationConfig(**QLORA_RECIPE)
    with tempfile.TemporaryDirectory() as tmp:
        core = _inference_model(cfg, device, dtype, ids)
        save_model(core, processor, tmp)
        del core
        reset_peak(device)
        start = time.perf_counter()
        model, _ = load_model(tmp, dtype="bfloat16", quantization_config=quantization_config(adaptation),
                              device_map={"": device.index or 0} if device.type == "cuda" else None)
        load_s = time.perf_counter() - start
    load_peak = peak_gb(device)
    model = apply_adaptation(model, adaptation, gradient_checkpointing=True)
    built = Built("mfa", model, model.get_base_model(), model.config.image_seq_length, model.config.num_image_features)
    batch = real_batch(built, cfg["qlora_batch"], cfg["text_tokens"])
    r = time_train_steps(model, batch, device, 1, max(1, cfg["steps"] // 2), dtype)
    out = {"batch": cfg["qlora_batch"], "seq_len": int(batch["input_ids"].shape[1]), "load_s": load_s,
           "load_peak_mem_gb": load_peak, "step_s": r["step_s"], "peak_mem_gb": r["peak_mem_gb"],
           "quant_type": adaptation.quant_type, "lora_r": adaptation.lora_r}
    del model, built, batch
    free_memory()
    return out


# --- report ----------------------------------------------------------------------------------------
def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The issue's GPU targets against this run's figures (they apply to the full run on an H200)."""
    s = result["sections"]

    def get(name, key, sub=None):
        sec = s.get(name, {})
        sec = sec.get(sub, {}) if sub else sec
        value = sec.get(key)
        return float(value) if isinstance(value, int | float) else None

    rows = {
        "lora_bf16_mfu": (get("lora_bf16", "mfu", "sdpa"), ">=", 0.40),
        "qlora_7b_peak_gb": (get("qlora_4bit", "peak_mem_gb"), "<=", 16.0),
        "scorer_images_per_s": (get("scorer", "best_images_per_s"), ">=", 20.0),
        "piaa_cached_over_zero_shot": (get("piaa", "cached_over_zero_shot"), "<=", 1.5),
        "mfa_over_llava_step": (get("mfa_vs_llava", "step_ratio"), "<=", 0.6),
    }
    out = {}
    for name, (value, op, bound) in rows.items():
        met = None if value is None else (value >= bound if op == ">=" else value <= bound)
        out[name] = {"value": value, "target": f"{op} {bound:g}", "met": met}
    return out


def markdown(result: dict[str, Any]) -> str:
    """A short Markdown page of the run."""
    lines = [f"# GPU suite: {result['device']} ({result['mode']}), {result['date']}", "",
             f"torch {result['versions']['torch']}, transformers {result['versions']['transformers']}; "
             f"peak used for MFU: {result['peak_tflops']:g} TFLOP/s ({result['peak_source']}); "
             f"total {result['elapsed_s']:.0f} s.", "", "| target | value | wanted | met |", "|---|---|---|---|"]
    for name, t in result["targets"].items():
        value = "n/a" if t["value"] is None else f"{t['value']:.4g}"
        lines.append(f"| {name} | {value} | {t['target']} | {t['met']} |")
    lines += ["", "## Sections", ""]
    for name, sec in result["sections"].items():
        lines.append(f"### {name}")
        lines.append("")
        lines.append("```json")
        lines.append(json.dumps(sec, indent=2, sort_keys=True))
        lines.append("```")
        lines.append("")
    return "\n".join(lines)


SECTIONS = ("lora_bf16", "mfa_vs_llava", "scorer", "piaa", "qlora_4bit")


def run_suite(tiny: bool, out_dir: Path, peak_tflops: float, only: list[str] | None = None) -> Path:
    """Run the sections (errors recorded per section), write JSON + Markdown; returns the JSON path."""
    started = time.perf_counter()
    cfg = settings(tiny)
    device = torch.device("cuda" if torch.cuda.is_available() and not tiny else "cpu")
    dtype = torch.bfloat16
    torch.manual_seed(0)
    processor, ids = make_processor(cfg)
    name = device_name(device)
    import transformers

    result: dict[str, Any] = {
        "suite": "gpu_suite", "mode": "tiny" if tiny else "full", "device": name,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "flash_attn": importlib.util.find_spec("flash_attn") is not None},
        "peak_tflops": peak_tflops,
        "peak_source": "NVIDIA H200 bf16 dense tensor-core peak" if peak_tflops == H200_BF16_DENSE_TFLOPS
        else "given by --peak-tflops",
        "memory": "torch.cuda.max_memory_allocated per section" if device.type == "cuda"
        else "process peak RSS (monotonic over the run: not comparable between sections)",
        "shapes": {"vision": cfg["vision"], "text": cfg["text"]}, "settings": {k: v for k, v in cfg.items()
                                                                             if k not in ("vision", "text")},
        "sections": {}, "errors": {},
    }
    peak = peak_tflops * 1e12
    plan = {
        "lora_bf16": lambda: section_train(cfg, device, dtype, ids, peak),
        "mfa_vs_llava": lambda: section_mfa_vs_llava(cfg, device, dtype, ids, result["sections"]["lora_bf16"]),
        "scorer": lambda: section_scorer(cfg, device, dtype, ids, processor),
        "piaa": lambda: section_piaa(cfg, device, dtype, ids, processor),
        "qlora_4bit": lambda: section_qlora(cfg, device, dtype, ids, processor),
    }
    for key in only or SECTIONS:
        t0 = time.perf_counter()
        try:
            result["sections"][key] = {**plan[key](), "section_s": time.perf_counter() - t0}
        except Exception as err:  # noqa: BLE001 - one failing section must not lose the others
            result["errors"][key] = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=4)}"
        free_memory()  # the section's models are dropped on return
        print(f"[gpu_suite] {key}: {time.perf_counter() - t0:.1f} s"
              f"{' ERROR ' + result['errors'][key].splitlines()[0] if key in result['errors'] else ''}", flush=True)
    result["elapsed_s"] = time.perf_counter() - started
    result["targets"] = targets(result)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"gpu_suite_{'tiny_' if tiny else ''}{slug(name)}_{result['date'][:10]}"
    path = out_dir / f"{stem}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True))
    (out_dir / f"{stem}.md").write_text(markdown(result))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny shapes on the CPU (seconds): the CI check")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--peak-tflops", type=float, default=H200_BF16_DENSE_TFLOPS,
                        help="the device's dense bf16 peak for MFU (default: H200, 989)")
    parser.add_argument("--only", help=f"comma list of sections ({', '.join(SECTIONS)})")
    args = parser.parse_args()
    if not args.tiny and not torch.cuda.is_available():
        print("gpu_suite: skipped, no CUDA device is visible (run it on a GPU machine; --tiny runs the code on a CPU)")
        return
    only = args.only.split(",") if args.only else None
    if only and (unknown := sorted(set(only) - set(SECTIONS))):
        parser.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    if only and "mfa_vs_llava" in only and "lora_bf16" not in only:
        parser.error("mfa_vs_llava compares against lora_bf16: list both")
    path = run_suite(args.tiny, Path(args.out), args.peak_tflops, only)
    result = json.loads(path.read_text())
    for name, t in result["targets"].items():
        value = "n/a" if t["value"] is None else f"{t['value']:.4g}"
        print(f"{name:<28} {value:>10} (target {t['target']}, met: {t['met']})")
    if result["errors"]:
        print(f"sections with errors: {', '.join(result['errors'])} (see {path})")
    print(f"wrote {path} and {path.with_suffix('.md')}")
    sys.exit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
