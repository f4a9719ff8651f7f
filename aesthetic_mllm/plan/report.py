"""The plan as text (what ``aesthetic-mllm plan`` prints) and as a JSON-ready dict."""

from __future__ import annotations

from .lengths import Lengths
from .planner import Plan

GIB = 2**30
PART_LABELS = {"vision": "vision tower", "mfa": "MFA", "frames": "frame rows", "llm": "LLM", "lora": "LoRA"}
STRATEGY_LABELS = {"ddp": "DDP", "zero2": "ZeRO-2", "zero3": "ZeRO-3", "zero3_offload": "ZeRO-3 offload"}


def _n(count: float) -> str:
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(count) >= scale:
            return f"{count / scale:.2f}{unit}"
    return str(int(count))


def _g(nbytes: float) -> str:
    return f"{nbytes / GIB:.2f}"


def format_plan(plan: Plan) -> str:
    r, s, a = plan.recipe, plan.shapes, plan.activations
    cfg, vc, tc = s.config, s.config.vision_config, s.config.text_config
    lines = [f"plan: {r.stage}, {r.description or 'recipe'}",
             f"  vision {vc.model_type} {vc.hidden_size}w x {vc.num_hidden_layers}L at {vc.image_size}px/"
             f"{vc.patch_size}; LLM {tc.model_type} {tc.hidden_size}w x {tc.num_hidden_layers}L, vocab {tc.vocab_size}; "
             f"adaptation {s.adaptation.method}; model.dtype {s.dtype}"]
    lines += [f"  note: {n}" for n in s.notes]
    lines += ["", "parameters           total   trainable   held GiB (DDP)"]
    for key, part in s.parts.items():
        if part.total or part.trainable:
            lines.append(f"  {PART_LABELS[key]:<14} {_n(part.total):>9} {_n(part.trainable):>11} {_g(part.bytes):>12}")
    lines.append(f"  {'all':<14} {_n(s.total):>9} {_n(s.trainable):>11} {_g(s.ddp_weight_bytes):>12}")
    lines += ["", f"visual tokens per image: {cfg.num_image_features} MFA features "
                  f"({'/'.join(map(str, cfg.num_queries))} queries + {cfg.num_thematic_tokens} thematic) + "
                  f"{cfg.image_seq_length - cfg.num_image_features} framing tokens = {cfg.image_seq_length} "
                  f"positions; the encoder sees {s.patches} patches"]
    if isinstance(plan.lengths, Lengths):
        pct = ", ".join(f"p{q} {v}" for q, v in plan.lengths.percentiles.items())
        lines.append(f"sequence lengths (first {plan.lengths.records} records): {pct}; "
                     f"{100 * plan.lengths.over_max_length:.1f}% over data.max_length {r.data.max_length}")
    else:
        lines.append(f"sequence lengths: {plan.lengths}")
    lines += ["", f"per-GPU memory (GiB) on {plan.gpus} GPU(s) of {_g(plan.gpu_memory)} GiB "
                  f"({int(100 * next(iter(plan.fits.values())).usable / plan.gpu_memory)}% usable):",
              "  strategy         weights  grads  optim  states   +act(ckpt)  +act(no ckpt)  verdict"]
    for key, state in plan.states.items():
        fit = plan.fits.get(key)
        if fit is None:
            lines.append(f"  {STRATEGY_LABELS[key]:<15} {state.note}")
            continue
        lines.append(f"  {STRATEGY_LABELS[key]:<15} {_g(state.weights):>8} {_g(state.gradients):>6} "
                     f"{_g(state.optimizer):>6} {_g(state.total):>7} {_g(fit.with_checkpointing):>12} "
                     f"{_g(fit.without_checkpointing):>14}  {fit.verdict}")
        if state.cpu:
            lines.append(f"  {'':<15} CPU {_g(state.cpu)} GiB per node; {state.note}")
    ckpt = "on" if r.model.gradient_checkpointing else "off"
    lines += ["", f"activations at per_device_batch_size {a.batch} x data.max_length {a.seq} "
                  f"({a.images} image(s) per batch; recipe's gradient checkpointing: {ckpt}), GiB:",
              f"  LLM layers {_g(a.llm)} (checkpointed {_g(a.llm_checkpointed)}), logits {_g(a.logits)}, "
              f"vision {_g(a.vision)}, MFA {_g(a.mfa)}; total {_g(a.total)} (checkpointed {_g(a.total_checkpointed)})",
              "", "DeepSpeed's own estimators for this model (they assume every parameter trains):",
              *("  " + line for line in plan.deepspeed_tables.splitlines())]
    return "\n".join(lines)


def plan_dict(plan: Plan) -> dict:
    """The figures of ``format_plan`` as plain data (bytes and counts)."""
    s = plan.shapes
    return {
        "parts": {k: vars(v) for k, v in s.parts.items()},
        "total": s.total, "trainable": s.trainable, "image_seq_length": s.config.image_seq_length,
        "lengths": vars(plan.lengths) if isinstance(plan.lengths, Lengths) else plan.lengths,
        "states": {k: {**vars(v), "total": v.total} for k, v in plan.states.items()},
        "activations": {**vars(plan.activations), "total": plan.activations.total,
                        "total_checkpointed": plan.activations.total_checkpointed},
        "fits": {k: {**vars(v), "verdict": v.verdict} for k, v in plan.fits.items()},
        "gpus": plan.gpus, "gpu_memory": plan.gpu_memory, "notes": s.notes,
    }
