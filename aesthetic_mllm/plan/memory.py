"""Per-GPU memory: model states under DDP / ZeRO-2 / ZeRO-3 / ZeRO-3 offload, and activations.

Model states (P parameters held, T of them trainable, F = P - T frozen, N GPUs, L the largest
layer's parameters):

- **DDP** (this package's mixed precision: trainable parameters are fp32 master weights,
  frozen ones are stored in ``model.dtype``, QLoRA's LLM in 4 bits): weights = the bytes held,
  gradients = 4T (fp32) plus 4T of DDP's gradient buckets when N > 1, AdamW = 8T (two fp32
  moments).
- **ZeRO-2 / ZeRO-3 / ZeRO-3 offload**: DeepSpeed's own estimators
  (``estimate_zero2_model_states_mem_needs``, ``estimate_zero3_model_states_mem_needs``) applied
  to the T trainable parameters (they assume every parameter trains: 2 bytes of 16-bit weights
  + 18/N bytes of gradients, fp32 master and moments), plus the frozen parameters' 16-bit
  copies: 2F per GPU (ZeRO-2), 2F/N (ZeRO-3) or on the CPU (offload). ZeRO-3 adds 4L for
  the gathered largest layer.

Activations per GPU at the recipe's batch (b samples of s tokens, bf16 autocast, SDPA without
the s x s attention matrix), in bytes per token per decoder layer, calibrated on a Llama layer
with ``torch.autograd.graph.saved_tensors_hooks`` (tests/plan/test_activation_formula.py):

- frozen 16-bit layer (LoRA, QLoRA, frozen LLM): ``12 h + 4 h_kv + 6 i + 4 heads``
- trainable fp32 layer (full fine-tuning): ``30 h + 4 h_kv + 8 i + 4 heads`` (+ the layer's bf16
  weight casts, 2 bytes per parameter, once per layer)
- LoRA, per target projection with input width d_in: ``(m + 2) d_in + 2 r``: the dropout mask
  (m = 1 byte on CUDA, whose fused dropout keeps a bool mask; 4 on CPU, which keeps an fp32
  mask; 0 without dropout), the bf16 copy of the input that ``lora_A`` keeps, the rank-r
  intermediate (+ autocast's bf16 copies of the fp32 LoRA weights, once per layer). A frozen
  projection keeps no input: only its weight is needed backward.

With gradient checkpointing (one checkpoint per decoder layer) each layer keeps only its input
(2 h bytes per token, 4 h for an fp32 residual stream) and one layer's activations are live
again during its recomputation. On top: logits ``10 V`` bytes per token (bf16 logits kept in
the output, the loss's fp32 copy and fp32 log-softmax), the frozen vision tower's hidden states
that the MFA reads (``(layers + 1) x patches x h_vision x 2`` per image) and the MFA
(about ``3 x patches x (8 h_vision + 12 d x depth)`` per image).
"""

from __future__ import annotations

from dataclasses import dataclass

from .shapes import ModelShapes

STRATEGIES = ("ddp", "zero2", "zero3", "zero3_offload")
HEADROOM = 0.9  # usable share of a GPU's memory: CUDA context, allocator fragmentation, temporary buffers


@dataclass
class StateMemory:
    """Bytes per GPU of one distribution strategy's model states (and CPU bytes it needs)."""

    weights: float
    gradients: float
    optimizer: float
    cpu: float = 0.0
    note: str = ""

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer


def _deepspeed_estimators():
    try:
        from deepspeed.runtime.zero.stage3 import estimate_zero3_model_states_mem_needs
        from deepspeed.runtime.zero.stage_1_and_2 import estimate_zero2_model_states_mem_needs
    except ImportError:
        return None
    return estimate_zero2_model_states_mem_needs, estimate_zero3_model_states_mem_needs


def _zero2(t: int, n: int, cpu_offload: bool = False) -> tuple[int, int]:
    """DeepSpeed's ZeRO-2 estimate (cpu, gpu) for t parameters that all train (same formula if absent)."""
    est = _deepspeed_estimators()
    if est is not None:
        return est[0](total_params=t, num_gpus_per_node=n, num_nodes=1, cpu_offload=cpu_offload)
    return int(t * 4 * n * 1.5), int(2 * t + 18 * t / n)


def _zero3(t: int, largest: int, n: int, offload: bool) -> tuple[int, int]:
    """DeepSpeed's ZeRO-3 estimate (cpu, gpu) for t trainable parameters, the largest layer's params."""
    est = _deepspeed_estimators()
    if est is not None:
        cpu, gpu, _ = est[1](total_params=t, largest_layer_params=largest, num_gpus_per_node=n, num_nodes=1,
                             cpu_offload=offload, cpu_offload_params=offload, zero_init=True)
        return cpu, gpu
    if offload:
        return int(t * 18 * 1.5), 4 * largest
    return int(largest * 4 * n * 1.5), int(4 * largest + 18 * t / n)


def model_states(shapes: ModelShapes, gpus: int) -> dict[str, StateMemory]:
    """Per-GPU model-state memory under each strategy."""
    t, f, n, largest = shapes.trainable, shapes.frozen_held, gpus, shapes.largest_layer
    ddp = StateMemory(weights=shapes.ddp_weight_bytes, gradients=4 * t * (2 if n > 1 else 1), optimizer=8 * t,
                      note="DDP buckets double the fp32 gradients" if n > 1 else "single GPU")
    out = {"ddp": ddp}
    if shapes.adaptation.method == "qlora":
        skip = "not planned: bitsandbytes 4-bit weights are not partitioned by ZeRO"
        return out | {k: StateMemory(0, 0, 0, note=skip) for k in STRATEGIES[1:]}
    cpu2, gpu2 = _zero2(t, n)
    out["zero2"] = StateMemory(weights=2 * t + 2 * f + 4 * t / n, gradients=6 * t / n, optimizer=8 * t / n, cpu=cpu2,
                               note=f"DeepSpeed estimate for the trainable part: {gpu2 / 2**30:.2f} GiB")
    cpu3, gpu3 = _zero3(t, largest, n, offload=False)
    out["zero3"] = StateMemory(weights=4 * largest + 2 * (t + f) / n + 4 * t / n, gradients=4 * t / n,
                               optimizer=8 * t / n, cpu=cpu3,
                               note=f"DeepSpeed estimate for the trainable part: {gpu3 / 2**30:.2f} GiB")
    cpu3o, gpu3o = _zero3(t, largest, n, offload=True)
    out["zero3_offload"] = StateMemory(weights=gpu3o, gradients=0, optimizer=0, cpu=cpu3o + 2 * f,
                                       note="parameters and optimizer states on the CPU; the GPU holds the "
                                            "largest layer gathered")
    return out


def deepspeed_all_trainable(shapes: ModelShapes, gpus: int) -> str:
    """DeepSpeed's own estimator tables for this model as DeepSpeed sees it (every parameter trains)."""
    import contextlib
    import io

    try:
        from deepspeed.runtime.zero.stage3 import estimate_zero3_model_states_mem_needs_all_cold
        from deepspeed.runtime.zero.stage_1_and_2 import estimate_zero2_model_states_mem_needs_all_cold
    except ImportError:
        return "deepspeed is not installed"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        estimate_zero2_model_states_mem_needs_all_cold(total_params=shapes.total, num_gpus_per_node=gpus)
        estimate_zero3_model_states_mem_needs_all_cold(total_params=shapes.total,
                                                       largest_layer_params=shapes.largest_layer,
                                                       num_gpus_per_node=gpus)
    return buffer.getvalue().rstrip()


@dataclass
class Activations:
    """Activation bytes per GPU at one batch shape, with and without gradient checkpointing."""

    batch: int
    seq: int
    images: int
    llm: float
    llm_checkpointed: float
    logits: float
    vision: float
    mfa: float

    @property
    def total(self) -> float:
        return self.llm + self.logits + self.vision + self.mfa

    @property
    def total_checkpointed(self) -> float:
        return self.llm_checkpointed + self.logits + self.vision + self.mfa


def _llm_dims(shapes: ModelShapes) -> dict[str, int]:
    tc = shapes.config.text_config
    heads = tc.num_attention_heads
    head_dim = getattr(tc, "head_dim", None) or tc.hidden_size // heads
    kv = getattr(tc, "num_key_value_heads", None) or heads
    return {"h": tc.hidden_size, "h_kv": kv * head_dim, "i": tc.intermediate_size, "heads": heads,
            "layers": tc.num_hidden_layers, "vocab": tc.vocab_size, "q": heads * head_dim}


def layer_bytes_per_token(h: int, h_kv: int, i: int, heads: int, trainable: bool = False) -> float:
    """Saved activations of one decoder layer per token (bf16 autocast, SDPA)."""
    if trainable:
        return 30 * h + 4 * h_kv + 8 * i + 4 * heads
    return 12 * h + 4 * h_kv + 6 * i + 4 * heads


def lora_bytes_per_token(h: int, i: int, targets: list[str], r: int, q: int | None = None, dropout: bool = True,
                         mask_bytes: int = 1) -> float:
    """Extra saved activations of LoRA on one decoder layer per token (``mask_bytes``: 1 CUDA, 4 CPU)."""
    widths = {"q_proj": h, "k_proj": h, "v_proj": h, "o_proj": q or h, "gate_proj": h, "up_proj": h, "down_proj": i}
    per_input = (mask_bytes if dropout else 0) + 2
    return sum(per_input * widths[t] + 2 * r for t in targets if t in widths)


def activations(shapes: ModelShapes, batch: int, seq: int, images_per_sample: int = 1) -> Activations:
    """Activation memory per GPU for ``batch`` samples of ``seq`` tokens."""
    d = _llm_dims(shapes)
    a = shapes.adaptation
    tokens = batch * seq
    llm_trains = a.method == "full" and a.train_llm
    per_layer = layer_bytes_per_token(d["h"], d["h_kv"], d["i"], d["heads"], trainable=llm_trains)
    layer_params = 2 * d["h"] * (d["q"] + d["h_kv"]) + 3 * d["h"] * d["i"]
    casts = 2 * layer_params if llm_trains else 0.0  # autocast's bf16 copies of one layer's fp32 weights
    if a.method in ("lora", "qlora"):
        per_layer += lora_bytes_per_token(d["h"], d["i"], a.lora_target_modules, a.lora_r, d["q"],
                                          dropout=a.lora_dropout > 0)
        casts += 2 * shapes.parts["lora"].trainable / max(d["layers"], 1)
    layer = per_layer * tokens + casts
    stream = (4 if llm_trains else 2) * d["h"] * tokens
    vc = shapes.config.vision_config
    images = batch * images_per_sample
    p, hv = shapes.patches, vc.hidden_size
    if a.train_vision:
        vision = images * p * vc.num_hidden_layers * layer_bytes_per_token(hv, hv, vc.intermediate_size,
                                                                          vc.num_attention_heads, trainable=True)
    else:
        vision = images * (vc.num_hidden_layers + 1) * p * hv * 2
    mfa = images * 3 * p * (8 * hv + 12 * shapes.config.mfa_hidden_size * shapes.config.mfa_num_layers)
    return Activations(batch=batch, seq=seq, images=images, llm=d["layers"] * layer,
                       llm_checkpointed=d["layers"] * stream + layer, logits=10 * d["vocab"] * tokens, vision=vision,
                       mfa=mfa)
