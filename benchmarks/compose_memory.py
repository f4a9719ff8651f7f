"""Peak memory of composing a model from a local vision dir + a local LLM dir (``init-model``).

Writes, in a temporary directory, a CLIP ViT-B/16 vision-model dir (86M params) and a
Qwen2-shaped causal-LM dir (374M params: the Qwen2-0.5B layer stack with an 18k vocabulary,
tied embeddings), both random init and saved as fp32 safetensors (1.71 GiB together), then runs

    aesthetic-mllm init-model OUT --vision DIR --llm DIR

in a subprocess and reads its peak resident set size (``getrusage(RUSAGE_CHILDREN)`` in a
wrapper process). The baseline is a subprocess that only imports torch, transformers and the
package's loading module. It prints ``(peak - baseline) / weight_bytes``; 1.0 means the
weights are held once and nothing else. Exit status 1 when the ratio exceeds ``--target``.

    python benchmarks/compose_memory.py [--target 1.3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VISION = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
              image_size=224, patch_size=16, projection_dim=512)
LLM = dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
           num_key_value_heads=2, vocab_size=18000, tie_word_embeddings=True, max_position_embeddings=4096)

WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, rc)\n"
)
BASELINE = "import torch, transformers, aesthetic_mllm.model.loading"


def write_parts(root: Path) -> int:
    """Write the vision and LLM dirs under ``root``; returns the bytes of their safetensors."""
    import torch
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        CLIPVisionModel,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    from aesthetic_mllm.model.tokenizer import build_tiny_tokenizer

    torch.manual_seed(0)
    vision = CLIPVisionModel(CLIPVisionConfig(**VISION))
    vision.save_pretrained(root / "vision")
    CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224}).save_pretrained(
        root / "vision")
    del vision
    llm = Qwen2ForCausalLM(Qwen2Config(**LLM))
    n_llm = sum(p.numel() for p in llm.parameters())
    llm.save_pretrained(root / "llm")
    build_tiny_tokenizer(1024, template="chatml").save_pretrained(root / "llm")
    del llm
    print(f"LLM parameters: {n_llm / 1e6:.1f}M (Qwen2 shape {json.dumps(LLM)})")
    return sum(f.stat().st_size for f in root.rglob("*.safetensors"))


def peak_rss(cmd: list[str]) -> tuple[int, float]:
    """Peak RSS in bytes of ``cmd`` run in a fresh wrapper process, and its wall time."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, env=env, check=True)
    peak, rc = out.stdout.split()
    if rc != "0":
        raise RuntimeError(f"{cmd} exited {rc}")
    return int(peak), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=1.3, help="fail above this ratio")
    parser.add_argument("--keep", help="write the parts here (kept) instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp)
        weight_bytes = write_parts(root)
        gib = 1024 ** 3
        print(f"weights: {weight_bytes} bytes = {weight_bytes / gib:.2f} GiB of fp32 safetensors")
        baseline, _ = peak_rss([sys.executable, "-c", BASELINE])
        cli = [sys.executable, "-m", "aesthetic_mllm.cli", "init-model", str(root / "out"),
               "--vision", str(root / "vision"), "--llm", str(root / "llm")]
        peak, wall = peak_rss(cli)
        ratio = (peak - baseline) / weight_bytes
        print(f"baseline (import torch + transformers + aesthetic_mllm): {baseline / 1e9:.2f} GB")
        print(f"init-model peak RSS: {peak / 1e9:.2f} GB in {wall:.1f} s")
        print(f"(peak - baseline) / weight_bytes = {ratio:.2f}x (target <= {args.target}x)")
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
