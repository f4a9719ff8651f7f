"""Train-step time and peak memory: MFA model vs the same encoder + LLM with a LLaVA-style projector.

The projector baseline is transformers' own ``LlavaForConditionalGeneration`` built from the
same vision and text configs, so every patch token is projected into the LLM. Each
(size, variant) runs in its own process so peak memory is not shared. Run:

    .venv/bin/python benchmarks/mfa_vs_projector.py [--sizes tiny,small] [--steps 10] [--batch 8]

``--real`` measures at real proportions instead: CLIP ViT-L/14-336 (24 layers, 1024 wide) and a
full-depth Qwen2-0.5B-shaped LLM (24 layers), random init, the stage-2 recipe (vision frozen,
connector trainable, LoRA r=64 on the LLM), bf16 autocast with frozen weights stored in bf16 and
trainable ones in fp32, ``--text`` text tokens per sample. The FLOPs of the same steps are counted
(``flops_real_scale.py``'s counter on the meta device) to say how well they predict the measured ratio. ``--one real vision`` times the part both share alone (the
frozen encoder's forward, and the backward the step runs through it):

    .venv/bin/python benchmarks/mfa_vs_projector.py --real [--steps 2] [--batch 1] [--text 64]
    .venv/bin/python benchmarks/mfa_vs_projector.py --one real vision
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(size: str, variant: str):
    from transformers import LlavaConfig, LlavaForConditionalGeneration

    from aesthetic_mllm.model.loading import from_preset

    model, processor = from_preset(size)
    if variant == "mfa":
        return model, processor, None
    cfg = model.config
    vision = cfg.vision_config
    patches = (vision.image_size // vision.patch_size) ** 2
    llava = LlavaForConditionalGeneration(LlavaConfig(
        vision_config=vision.to_dict(), text_config=cfg.text_config.to_dict(),
        image_token_index=cfg.image_token_id, image_seq_length=patches, vision_feature_layer=-2,
        vision_feature_select_strategy="default"))
    return llava, processor, patches


def _batch(processor, batch_size: int, patches: int | None):
    import torch
    from PIL import Image

    text = processor.apply_chat_template([
        {"role": "user", "content": "<image>\nHow would you rate the aesthetic quality of this photo?"},
        {"role": "assistant", "content": "The aesthetic quality of this photo is good."}])
    images = [Image.new("RGB", (320, 240), (40 * i % 255, 90, 160)) for i in range(batch_size)]
    if patches is None:
        batch = processor([text] * batch_size, images)
    else:  # LLaVA: one <image> id per patch token
        ids = processor.tokenizer(text, add_special_tokens=False)["input_ids"]
        image_id = processor.image_token_id
        ids = [t for tok in ids for t in ([image_id] * patches if tok == image_id else [tok])]
        batch = {"input_ids": torch.tensor([ids] * batch_size), "attention_mask": torch.ones(batch_size, len(ids),
                 dtype=torch.long), "pixel_values": processor.preprocess_images(images)}
    batch["labels"] = batch["input_ids"].clone()
    return dict(batch)


def _real_built(variant: str, device: str):
    from flops_real_scale import CLIP_L336, QWEN2_05B, build_llava, build_mfa

    return (build_mfa if variant == "mfa" else build_llava)(CLIP_L336, QWEN2_05B, device=device)


def real_batch(built, batch_size: int, text_tokens: int) -> dict:
    """Token ids with each model's own image placeholders (ours: framing + query ids; LLaVA: 576 ids)."""
    import torch

    cfg = built.core.config
    if built.kind == "mfa":
        image = [i for lv, n in zip(cfg.level_token_ids, [*cfg.num_queries, cfg.num_thematic_tokens], strict=True)
                 for i in (lv, *[cfg.image_token_id] * n)]
    else:
        image = [cfg.image_token_index] * built.image_positions
    gen = torch.Generator().manual_seed(0)
    text = torch.randint(0, cfg.text_config.vocab_size - 8, (batch_size, text_tokens), generator=gen)
    ids = torch.cat([text[:, :4], torch.tensor([image] * batch_size), text[:, 4:]], dim=1)
    labels = ids.clone()
    labels[:, : 4 + len(image)] = -100  # no target on the prompt's image positions
    side = cfg.vision_config.image_size
    pixels = torch.rand(batch_size, 3, side, side, generator=gen) * 2 - 1
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "pixel_values": pixels, "labels": labels}


def run_real(variant: str, steps: int, batch_size: int, text_tokens: int) -> dict:
    """Median stage-2 step time (bf16 autocast) and peak memory of one variant at real proportions."""
    import torch
    from flops_real_scale import count_parts

    torch.manual_seed(0)
    built = _real_built(variant, "cpu")
    for param in built.model.parameters():  # frozen parts stored in bf16, trainable ones fp32 (DESIGN 9)
        if not param.requires_grad:
            param.data = param.data.to(torch.bfloat16)
    batch = real_batch(built, batch_size, text_tokens)
    params = [p for p in built.model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-4)
    rss_before = _rss_mb()
    times, cpu_times = [], []
    for step in range(steps + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = built.model(**batch).loss
        loss.backward()
        optim.step()
        optim.zero_grad(set_to_none=True)
        if step >= 1:  # the first step allocates optimizer state
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    flops = count_parts(_real_built(variant, "meta"), text_tokens, 1, batch=batch_size)
    return {"size": "real", "variant": variant, "params_m": sum(p.numel() for p in built.model.parameters()) / 1e6,
            "trainable_m": sum(p.numel() for p in params) / 1e6, "seq_len": batch["input_ids"].shape[1],
            "step_s": statistics.median(times), "steps": len(times), "times": times,
            "cpu_s": statistics.median(cpu_times), "cpu_times": cpu_times,
            "peak_step_mem_mb": peak - rss_before, "peak_rss_mb": peak, "flops": flops["total"],
            "threads": torch.get_num_threads()}


def run_real_vision(steps: int, batch_size: int) -> dict:
    """CPU time of the shared part alone: the frozen encoder's forward and the backward the step runs through it."""
    import torch

    built = _real_built("mfa", "cpu")
    for param in built.model.parameters():
        if not param.requires_grad:
            param.data = param.data.to(torch.bfloat16)
    pixels = real_batch(built, batch_size, 8)["pixel_values"].to(torch.bfloat16)
    tower = built.core.vision_tower

    def step(backward: bool) -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16), torch.set_grad_enabled(backward):
            states = tower(pixel_values=pixels, output_hidden_states=True).hidden_states
            loss = sum(h.float().mean() for h in states[1:])
        if backward:
            loss.backward()

    out = {}
    for name, backward in (("forward", False), ("forward_backward", True)):
        step(backward)  # warm-up
        cpu = []
        for _ in range(steps):
            start = time.process_time()
            step(backward)
            cpu.append(time.process_time() - start)
        out[f"{name}_cpu_s"] = statistics.median(cpu)
    return {"size": "real", "variant": "vision", **out}


def run_one(size: str, variant: str, steps: int, batch_size: int) -> dict:
    import torch

    torch.manual_seed(0)
    model, processor, patches = _build(size, variant)
    batch = _batch(processor, batch_size, patches)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    rss_before = _rss_mb()
    times = []
    for step in range(steps + 2):
        start = time.perf_counter()
        loss = model(**batch).loss
        loss.backward()
        optim.step()
        optim.zero_grad(set_to_none=True)
        if step >= 2:  # the first steps allocate optimizer state
            times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "variant": variant, "params_m": sum(p.numel() for p in model.parameters()) / 1e6,
            "seq_len": batch["input_ids"].shape[1], "step_s": statistics.median(times),
            "peak_step_mem_mb": peak - rss_before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="tiny,small")
    parser.add_argument("--steps", type=int, default=None, help="timed steps (default 8; --real: 2)")
    parser.add_argument("--batch", type=int, default=None, help="batch size (default 8; --real: 1)")
    parser.add_argument("--real", action="store_true", help="CLIP ViT-L/14-336 + Qwen2-0.5B shapes, stage-2 LoRA")
    parser.add_argument("--text", type=int, default=64, help="--real: text tokens per sample")
    parser.add_argument("--json", help="--real: also write the rows here")
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    real = args.real or (args.one is not None and args.one[0] == "real")
    args.steps = args.steps if args.steps is not None else (2 if real else 8)
    args.batch = args.batch if args.batch is not None else (1 if real else 8)
    if args.one:
        size, variant = args.one
        if size == "real":
            row = (run_real_vision(args.steps, args.batch) if variant == "vision"
                   else run_real(variant, args.steps, args.batch, args.text))
        else:
            row = run_one(size, variant, args.steps, args.batch)
        print(json.dumps(row))
        return
    if args.real:
        main_real(args)
        return
    print(f"train step, batch {args.batch}, CPU threads as configured; median of {args.steps} steps")
    print(f"{'size':<6} {'variant':<10} {'params(M)':>9} {'seq':>5} {'step(s)':>8} {'peak mem(MB)':>13}")
    for size in args.sizes.split(","):
        rows = {}
        for variant in ("mfa", "projector"):
            out = subprocess.run([sys.executable, __file__, "--one", size, variant, "--steps", str(args.steps),
                                  "--batch", str(args.batch)], capture_output=True, text=True, check=True)
            rows[variant] = r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{size:<6} {variant:<10} {r['params_m']:>9.2f} {r['seq_len']:>5} {r['step_s']:>8.3f} "
                  f"{r['peak_step_mem_mb']:>13.1f}")
        m, p = rows["mfa"], rows["projector"]
        print(f"{size:<6} ratio MFA/projector: step time {m['step_s'] / p['step_s']:.2f}x, "
              f"peak memory {m['peak_step_mem_mb'] / max(p['peak_step_mem_mb'], 1e-9):.2f}x, "
              f"LLM sequence {m['seq_len'] / p['seq_len']:.2f}x")


def main_real(args) -> None:
    """Both variants at real proportions, each in its own process; measured vs counted ratios."""
    rows = {}
    for variant in ("mfa", "projector"):
        out = subprocess.run([sys.executable, __file__, "--one", "real", variant, "--steps", str(args.steps),
                              "--batch", str(args.batch), "--text", str(args.text)],
                             capture_output=True, text=True, check=True)
        rows[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    m, p = rows["mfa"], rows["projector"]
    print(f"stage-2 train step at real proportions: CLIP ViT-L/14-336 + Qwen2-0.5B shapes (random init), vision "
          f"frozen, connector trainable, LoRA r=64, bf16 autocast on CPU, batch {args.batch}, {args.text} text tokens, "
          f"{m['threads']} torch threads; median of {m['steps']} steps after 1 warm-up")
    print(f"{'variant':<10} {'params(M)':>9} {'train(M)':>8} {'seq':>5} {'step(s)':>8} {'steps s':>14} "
          f"{'CPU s':>7} {'peak step mem(MB)':>17} {'TFLOP/step':>10} {'GFLOP/CPU s':>11}")
    for name, r in rows.items():
        times = ",".join(f"{t:.1f}" for t in r["times"])
        print(f"{name:<10} {r['params_m']:>9.1f} {r['trainable_m']:>8.1f} {r['seq_len']:>5} {r['step_s']:>8.2f} "
              f"{times:>14} {r['cpu_s']:>7.1f} {r['peak_step_mem_mb']:>17.0f} {r['flops'] / 1e12:>10.3f} "
              f"{r['flops'] / r['cpu_s'] / 1e9:>11.1f}")
    measured, counted = m["step_s"] / p["step_s"], m["flops"] / p["flops"]
    cpu_ratio = m["cpu_s"] / p["cpu_s"]
    print(f"ratio MFA/projector: step time {measured:.2f}x (target <= 0.6x: {'met' if measured <= 0.6 else 'NOT met'}), "
          f"peak step memory {m['peak_step_mem_mb'] / max(p['peak_step_mem_mb'], 1e-9):.2f}x, "
          f"LLM sequence {m['seq_len'] / p['seq_len']:.2f}x")
    print(f"counted FLOPs ratio {counted:.3f}x vs measured: wall-clock {measured:.3f}x (measured / counted = "
          f"{measured / counted:.2f}), process CPU time {cpu_ratio:.3f}x (= {cpu_ratio / counted:.2f}x counted; "
          "CPU time is less sensitive to other load on the machine)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
