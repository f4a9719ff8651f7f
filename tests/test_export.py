"""``aesthetic-mllm export``: a LoRA + MFA + token-row adapter merged into a plain model that loads without peft.

The adapter is real peft output whose trainable weights were moved away from their init, so the
merge matters: the base model scores differently, the export must score like the adapter (1e-5),
in a subprocess where ``import peft`` fails. Every saved directory carries a model card.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from aesthetic_mllm.cli import main
from aesthetic_mllm.model.adaptation import lora_target_regex
from aesthetic_mllm.model.loading import load_model
from aesthetic_mllm.model.special_tokens import LEVEL_TOKENS
from aesthetic_mllm.scoring.scorer import AestheticScorer

_NO_PEFT = """
import json, sys
sys.modules["peft"] = None  # any import of peft now fails
from aesthetic_mllm.model import AestheticMLLMForConditionalGeneration
from aesthetic_mllm.scoring.scorer import AestheticScorer
model, info = AestheticMLLMForConditionalGeneration.from_pretrained(sys.argv[1], output_loading_info=True)
scorer = AestheticScorer.from_pretrained(sys.argv[1], score_range=(1, 10), device="cpu")
scores = [r.score for r in scorer.score(sys.argv[2:])]
print(json.dumps({"scores": scores, "info": {k: sorted(map(str, v)) for k, v in info.items()},
                  "peft_loaded": any(m == "peft" or m.startswith("peft.") for m in sys.modules if sys.modules[m])}))
"""


@pytest.fixture(scope="module")
def adapter_dir(tiny_dir, tmp_path_factory):
    """A PEFT adapter: LoRA on the LLM's projections, the MFA in modules_to_save, trainable level-token rows."""
    from peft import LoraConfig, get_peft_model

    model, processor = load_model(tiny_dir)
    level_ids = processor.tokenizer.convert_tokens_to_ids(list(LEVEL_TOKENS))
    config = LoraConfig(r=4, lora_alpha=8, target_modules=lora_target_regex(["q_proj", "v_proj", "o_proj"]),
                        modules_to_save=["mfa"], trainable_token_indices=level_ids)
    peft_model = get_peft_model(model, config)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():  # what training would do: every trainable tensor leaves its init
        for param in peft_model.parameters():
            if param.requires_grad:
                param.add_(torch.randn(param.shape, generator=generator) * 0.2)
    out = tmp_path_factory.mktemp("adapter")
    peft_model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def photo_paths(photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    paths = [folder / f"p{i}.jpg" for i in range(len(photos))]
    for photo, path in zip(photos, paths, strict=True):
        photo.save(path)
    return [str(p) for p in paths]


def _scores(model_dir, paths):
    scorer = AestheticScorer.from_pretrained(model_dir, score_range=(1, 10), device="cpu")
    return [r.score for r in scorer.score(paths)]


def test_export_loads_without_peft_and_scores_like_the_adapter(adapter_dir, tiny_dir, photo_paths, tmp_path,
                                                               capsys):
    out = tmp_path / "merged"
    assert main(["export", str(adapter_dir), str(out)]) == 0
    assert not (out / "adapter_config.json").exists() and (out / "model.safetensors").is_file()
    adapter_scores = _scores(adapter_dir, photo_paths)
    base_scores = _scores(tiny_dir, photo_paths)
    assert max(abs(a - b) for a, b in zip(adapter_scores, base_scores, strict=True)) > 1e-3  # the merge matters

    proc = subprocess.run([sys.executable, "-c", _NO_PEFT, str(out), *photo_paths], capture_output=True, text=True,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not got["peft_loaded"]
    assert got["info"]["missing_keys"] == [] and got["info"]["unexpected_keys"] == []
    assert got["scores"] == pytest.approx(adapter_scores, abs=1e-5)


def test_export_bf16_halves_the_weights_and_stays_close(adapter_dir, photo_paths, tmp_path, capsys):
    fp32, bf16 = tmp_path / "fp32", tmp_path / "bf16"
    assert main(["export", str(adapter_dir), str(fp32)]) == 0
    assert main(["export", str(adapter_dir), str(bf16), "--dtype", "bf16"]) == 0
    ratio = (bf16 / "model.safetensors").stat().st_size / (fp32 / "model.safetensors").stat().st_size
    assert 0.45 < ratio < 0.55
    assert json.loads((bf16 / "config.json").read_text())["dtype"] == "bfloat16"
    model, _ = load_model(bf16, dtype="bfloat16")
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}


def test_export_refuses_to_overwrite_its_source(adapter_dir, capsys):
    assert main(["export", str(adapter_dir), str(adapter_dir)]) == 2
    assert "new directory" in capsys.readouterr().err


def _front_matter(card_path):
    from huggingface_hub import ModelCard

    card = ModelCard.load(card_path)
    return card.data.to_dict(), card.text


def test_every_saved_model_dir_has_a_model_card(adapter_dir, tmp_path, capsys):
    assert main(["init-model", str(tmp_path / "init")]) == 0
    meta, text = _front_matter(tmp_path / "init" / "README.md")
    assert meta["library_name"] == "transformers" and "aesthetic_mllm" in meta["tags"]
    assert meta["rating_words"] == ["excellent", "good", "fair", "poor", "bad"] and meta["score_range"] == [1.0, 5.0]
    assert "## Parts" in text and "Vision tower" in text and "Language model" in text and "MFA" in text

    assert main(["export", str(adapter_dir), str(tmp_path / "merged")]) == 0
    meta, text = _front_matter(tmp_path / "merged" / "README.md")
    assert "merged PEFT adapter" in text and "loads without peft" in text
    assert "Not evaluated yet" in text


def test_model_card_lists_eval_results_in_the_hub_metadata(tiny_dir, tmp_path):
    from aesthetic_mllm.model_card import write_model_card

    results = {"world_scoring": {"srcc": 0.61, "plcc": 0.58, "srcc_std": 0.02}}
    _, text = _front_matter(write_model_card(tiny_dir, eval_results=results))
    meta, _ = _front_matter(tiny_dir / "README.md")
    metrics = {m["name"] if "name" in m else m["type"]: m["value"] for m in
               meta["model-index"][0]["results"][0]["metrics"]}
    assert metrics == {"srcc": 0.61, "plcc": 0.58}
    assert "| world_scoring | srcc | 0.6100 |" in text
