"""The GPU suite's code paths run end to end with tiny shapes on the CPU (so the suite never rots)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_suite.py"
SECTIONS = {
    "lora_bf16": ["batch", "seq_len", "tokens_per_step"],
    "mfa_vs_llava": ["step_ratio", "peak_mem_ratio", "counted_flops_ratio", "llava_step_s", "mfa_step_s"],
    "scorer": ["batch1_images_per_s", "batch16_images_per_s", "batch64_images_per_s", "best_images_per_s"],
    "piaa": ["zero_shot_ms_per_query", "cached_ms_per_query", "uncached_ms_per_query", "cached_over_zero_shot",
             "uncached_over_cached", "prefix_encode_ms"],
    "qlora_4bit": ["peak_mem_gb", "step_s", "load_s"],
}
TRAIN_KEYS = ["step_s", "tokens_per_s", "samples_per_s", "model_flops_per_step", "mfu", "peak_mem_gb", "loss"]


def _numbers(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numbers(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numbers(value, f"{path}[{i}]")
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("suite")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([sys.executable, str(SUITE), "--tiny", "--out", str(out)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted(out.glob("gpu_suite_tiny_*.json"))
    assert len(files) == 1, list(out.iterdir())
    return json.loads(files[0].read_text()), files[0]


def test_every_section_ran_without_error(tiny_run):
    result, _ = tiny_run
    assert result["mode"] == "tiny" and result["errors"] == {}
    assert set(result["sections"]) == set(SECTIONS)
    for name, keys in SECTIONS.items():
        missing = [k for k in keys if k not in result["sections"][name]]
        assert not missing, f"{name} lacks {missing}"
    sdpa = result["sections"]["lora_bf16"]["sdpa"]
    assert [k for k in TRAIN_KEYS if k not in sdpa] == []
    flash = result["sections"]["lora_bf16"]["flash_attention_2"]
    assert "skipped" in flash or "step_s" in flash


def test_figures_are_finite_and_positive(tiny_run):
    result, _ = tiny_run
    numbers = dict(_numbers(result["sections"]))
    assert len(numbers) > 30
    bad = {k: v for k, v in numbers.items() if not math.isfinite(v) or v < 0}
    assert not bad, bad
    for name, keys in SECTIONS.items():
        for key in keys:
            assert result["sections"][name][key] > 0, (name, key)
    assert result["sections"]["lora_bf16"]["sdpa"]["mfu"] > 0


def test_targets_and_markdown_are_written(tiny_run):
    result, path = tiny_run
    assert set(result["targets"]) == {"lora_bf16_mfu", "qlora_7b_peak_gb", "scorer_images_per_s",
                                      "piaa_cached_over_zero_shot", "mfa_over_llava_step"}
    for target in result["targets"].values():
        assert math.isfinite(target["value"]) and isinstance(target["met"], bool)
    assert result["peak_tflops"] == 989.0
    page = path.with_suffix(".md").read_text()
    assert page.startswith("# GPU suite:") and "| lora_bf16_mfu |" in page and "### qlora_4bit" in page
