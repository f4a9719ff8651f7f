"""AestheticScorer: the prefix KV cache gives the logits of a full forward pass; batching; text; the CLI."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import torch

from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.scoring import AestheticScorer
from aesthetic_mllm.scoring.cli import add_inference_parsers, expand_images
from aesthetic_mllm.scoring.inference import last_logits, shared_prefix_length


@pytest.fixture(scope="module")
def scorer():
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    return AestheticScorer(model, processor, score_range=(1, 10), batch_size=4)


def test_prefix_cache_matches_a_full_forward_pass(scorer, photos):
    batch = scorer.processor.pad([scorer.prompt_ids] * len(photos), padding_side="left")
    batch["pixel_values"] = scorer.processor.preprocess_images(photos)
    prefix = shared_prefix_length(batch["input_ids"], batch["attention_mask"], scorer.image_ids)
    assert prefix > 0 and batch["input_ids"][0, prefix].item() in scorer.image_ids
    with torch.no_grad():
        full = scorer.model(**batch).logits[:, -1]
        cached = last_logits(scorer.model, batch["input_ids"], batch["pixel_values"], batch["attention_mask"],
                             image_ids=scorer.image_ids)
    torch.testing.assert_close(cached, full, rtol=1e-5, atol=1e-5)
    expected = torch.softmax(full[:, scorer.word_ids], -1).numpy()
    np.testing.assert_allclose(scorer.word_probabilities(photos), expected, rtol=1e-5, atol=1e-6)


def test_batched_scores_equal_one_by_one_and_respect_the_range(scorer, photos):
    together = [r.score for r in scorer.score(photos)]
    alone = [scorer.score([p])[0].score for p in photos]
    np.testing.assert_allclose(together, alone, rtol=1e-5)
    assert all(1 <= s <= 10 for s in together)
    zero_one = scorer.score(photos[:2], score_range=(0, 1))
    assert all(0 <= r.score <= 1 and r.range == (0.0, 1.0) for r in zero_one)
    np.testing.assert_allclose([r.score * 9 + 1 for r in zero_one], together[:2], rtol=1e-5)


def test_comment_and_suggest_are_greedy_and_batched(scorer, photos):
    batch = scorer.comment(photos[:3], max_new_tokens=5)
    assert len(batch) == 3 and all(isinstance(t, str) for t in batch)
    assert [scorer.comment([p], max_new_tokens=5)[0] for p in photos[:3]] == batch
    assert scorer.suggest(photos[:2], max_new_tokens=5) == scorer.suggest(photos[:2], max_new_tokens=5)


def test_from_pretrained_picks_device_and_dtype(tiny_dir):
    loaded = AestheticScorer.from_pretrained(tiny_dir, score_range=(1, 5))
    assert loaded.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert next(loaded.model.parameters()).dtype == (torch.bfloat16 if torch.cuda.is_available() else torch.float32)
    assert loaded.batch_size == (64 if torch.cuda.is_available() else 16)


def _run_cli(argv):
    parser = argparse.ArgumentParser()
    add_inference_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_score_comment_suggest_on_a_folder(tiny_dir, photos, tmp_path, capsys):
    folder = tmp_path / "imgs"
    (folder / "sub").mkdir(parents=True)
    for i, photo in enumerate(photos[:3]):
        photo.resize((64, 48)).save(folder / f"p{i}.jpg")
    photos[3].resize((64, 48)).save(folder / "sub" / "deep.png")
    images = expand_images([str(folder)])
    assert len(images) == 4 and images[-1].endswith("sub/deep.png")
    assert _run_cli(["score", str(folder), "--model", str(tiny_dir), "--json", "--range", "0,100",
                     "--batch-size", "3"]) == 0
    scored = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["image"] for s in scored] == images and all(0 <= s["score"] <= 100 for s in scored)
    for kind in ("comment", "suggest"):
        assert _run_cli([kind, images[0], "--model", str(tiny_dir), "--json", "--max-new-tokens", "3"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["image"] == images[0] and isinstance(out[kind], str)


def test_prefix_cache_keeps_lora_adapters_active(photos):
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(1)
    model, processor = from_preset("tiny")
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    lora = AestheticScorer(peft_model, processor, batch_size=4)
    batch = {**processor.pad([lora.prompt_ids] * 2), "pixel_values": processor.preprocess_images(photos[:2])}
    with torch.no_grad():
        full = peft_model(**batch).logits[:, -1]
        with peft_model.disable_adapter():
            base = peft_model(**batch).logits[:, -1]
    assert not torch.allclose(full, base, atol=1e-4)  # the adapters matter ...
    expected = torch.softmax(full[:, lora.word_ids], -1).numpy()
    np.testing.assert_allclose(lora.word_probabilities(photos[:2]), expected, rtol=1e-5, atol=1e-6)  # ... and are used
