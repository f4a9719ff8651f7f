"""Task vectors: exact layer-wise combination, softmax(T*SRCC) init, support-only selection, export."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import torch
from scipy import stats

from aesthetic_mllm.config import AdaptationConfig
from aesthetic_mllm.model.adaptation import apply_adaptation
from aesthetic_mllm.model.loading import load_model
from aesthetic_mllm.personalize.cli import add_personalize_parsers
from aesthetic_mllm.personalize.evaluate import (
    UserContext,
    UserRatings,
    draw_supports,
    evaluate_user,
    reference_lines,
)
from aesthetic_mllm.personalize.features import ScoringInputs
from aesthetic_mllm.personalize.lora_bank import TaskVectorBank
from aesthetic_mllm.personalize.task_vectors import (
    FitConfig,
    bradley_terry_loss,
    fit_coefficients,
    held_out_pair_error,
    task_levels,
    train_task_vectors,
)
from aesthetic_mllm.scoring import AestheticScorer

FAST = FitConfig(max_steps=4, eval_every=2, folds=2, lr=0.1)


def _random_adapter(base_dir, out, seed: int, r: int = 2):
    model, _ = load_model(base_dir)
    peft_model = apply_adaptation(model, AdaptationConfig(method="lora", lora_r=r, lora_alpha=2 * r, train_mfa=False,
                                                          lora_dropout=0.0))
    gen = torch.Generator().manual_seed(seed)
    for name, param in peft_model.named_parameters():
        if "lora_" in name:
            param.data = 0.3 * torch.randn(param.shape, generator=gen)
    peft_model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def adapters(tiny_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("task_vectors")
    return [_random_adapter(tiny_dir, root / f"task{t}", seed=t, r=2 + t % 2) for t in range(3)]


@pytest.fixture(scope="module")
def base(tiny_dir):
    model, processor = load_model(tiny_dir)
    return model.requires_grad_(False), processor


def test_layerwise_combination_is_the_exact_weighted_sum(adapters, tmp_path):
    bank = TaskVectorBank.from_dirs(adapters)
    assert bank.rank == 2 + 3 + 2 and bank.num_layers == 4
    coef = torch.randn(bank.num_layers, bank.num_tasks, generator=torch.Generator().manual_seed(0))
    out = bank.export(coef, tmp_path / "combined")
    from safetensors.torch import load_file

    saved = load_file(str(out / "adapter_model.safetensors"))
    for module in bank.modules:
        want = sum(coef[bank.layer[module], t] * tv.delta(module) for t, tv in enumerate(bank.task_vectors))
        assert torch.allclose(bank.delta(module, coef), want, atol=1e-6)
        a, b = (saved[f"base_model.model.{module}.lora_{f}.weight"] for f in "AB")
        assert torch.allclose(b @ a, want, atol=1e-6)


def test_uniform_coefficients_match_peft_cat(adapters, tiny_dir):
    from peft import PeftModel

    model, _ = load_model(tiny_dir)
    peft_model = PeftModel.from_pretrained(model, str(adapters[0]), adapter_name="t0")
    for t, path in enumerate(adapters[1:], start=1):
        peft_model.load_adapter(str(path), adapter_name=f"t{t}")
    weights = [0.5, -0.25, 1.5]
    peft_model.add_weighted_adapter([f"t{t}" for t in range(3)], weights, "cat", combination_type="cat")
    bank = TaskVectorBank.from_dirs(adapters)
    for module in bank.modules:
        layer = peft_model.base_model.model.get_submodule(module)
        peft_delta = layer.scaling["cat"] * layer.lora_B["cat"].weight @ layer.lora_A["cat"].weight
        assert torch.allclose(bank.delta(module, bank.uniform(weights)), peft_delta, atol=1e-6)


def test_exported_adapter_loads_in_the_scorer_and_matches_the_hooks(adapters, base, photos, tmp_path):
    model, processor = base
    bank = TaskVectorBank.from_dirs(adapters)
    coef = torch.rand(bank.num_layers, bank.num_tasks, generator=torch.Generator().manual_seed(1))
    with bank.attached(model, coef):
        live = [r.score for r in AestheticScorer(model, processor).score(photos)]
    plain = [r.score for r in AestheticScorer(model, processor).score(photos)]
    loaded = AestheticScorer.from_pretrained(bank.export(coef, tmp_path / "user"))
    assert [r.score for r in loaded.score(photos)] == pytest.approx(live, abs=1e-5)
    assert max(abs(a - b) for a, b in zip(live, plain, strict=True)) > 1e-4  # the hooks were removed again


def test_bradley_terry_loss_prefers_the_users_order():
    scores = torch.tensor([1.0, 3.0, 2.0])
    assert bradley_terry_loss(scores, scores) < bradley_terry_loss(-scores, scores)
    assert bradley_terry_loss(scores, torch.ones(3)) is None


def test_held_out_pair_error_counts_pairs_touching_held_out_images_and_ignores_scale():
    scores = torch.tensor([1.0, 2.0, 3.0, 4.0])
    pred = torch.tensor([1.0, 2.0, 4.0, 3.0])  # images 2 and 3 swapped
    held = torch.tensor([False, False, False, True])
    # pairs touching image 3: (3,0) (3,1) right, (3,2) wrong -> 1/3
    assert held_out_pair_error(pred, scores, held) == pytest.approx(1 / 3)
    assert held_out_pair_error(10 * pred, scores, held) == pytest.approx(1 / 3)
    assert held_out_pair_error(pred, scores, torch.tensor([True, False, False, False])) == 0.0
    assert held_out_pair_error(torch.ones(4), scores, held) == pytest.approx(0.5)  # ties count half
    assert held_out_pair_error(pred, torch.ones(4), held) is None
    with pytest.raises(ValueError, match="selection"):
        FitConfig(selection="test_srcc")


def test_init_is_softmax_of_temperature_times_task_srcc(adapters, base, photo_files):
    paths, scores = photo_files
    model, processor = base
    bank = TaskVectorBank.from_dirs(adapters)
    inputs = ScoringInputs(AestheticScorer(model, processor), paths)
    levels = task_levels(bank, inputs)
    rho = np.array([stats.spearmanr(row, scores).statistic for row in levels])
    for temperature in (1.0, 10.0):
        fit = fit_coefficients(bank, inputs, scores, levels, FitConfig(temperature=temperature, max_steps=0))
        want = np.exp(temperature * rho) / np.exp(temperature * rho).sum()
        assert fit.init.shape == (bank.num_layers, bank.num_tasks) and fit.steps == 0
        np.testing.assert_allclose(fit.init, np.tile(want, (bank.num_layers, 1)), atol=1e-6)
        np.testing.assert_allclose(fit.coefficients, fit.init, atol=1e-6)
    fit = fit_coefficients(bank, inputs, scores, levels, FAST)
    assert fit.steps in (0, 2, 4) and len(fit.val_curve) == 3
    pairs = FitConfig(max_steps=4, eval_every=2, folds=2, lr=0.1, selection="pair_error", repeats=2, l2=1.0)
    fit = fit_coefficients(bank, inputs, scores, levels, pairs)
    assert fit.steps in (0, 2, 4) and all(0 <= v <= 1 for v in fit.val_curve)
    with pytest.raises(ValueError, match="finite score"):
        fit_coefficients(bank, inputs, [*scores[:-1], float("nan")], levels, FAST)


def test_selection_never_reads_query_labels(adapters, base, photo_files):
    paths, scores = photo_files
    model, processor = base
    scorer, bank = AestheticScorer(model, processor), TaskVectorBank.from_dirs(adapters)
    user = UserRatings("u", paths, np.array(scores), (1.0, 5.0))
    ctx = UserContext.build(scorer, bank, user)
    (support,) = draw_supports(len(paths), 5, 1, seed=3)
    poisoned = np.full(len(paths), np.nan)
    poisoned[support] = user.scores[support]
    bad_ctx = UserContext(UserRatings("u", paths, poisoned, (1.0, 5.0)), ctx.inputs, ctx.population, ctx.task_levels)
    clean = evaluate_user(ctx, scorer, bank, k=5, draws=1, seed=3, config=FAST)
    dirty = evaluate_user(bad_ctx, scorer, bank, k=5, draws=1, seed=3, config=FAST)
    assert clean["choices"] == dirty["choices"]
    assert all(np.isfinite(v).all() for v in clean["srcc"].values())
    assert set(clean["srcc"]) == {"population", "best_task_vector", "task_vector_init", "task_vectors", "icl"}


def test_cli_writes_one_adapter_the_scorer_loads(adapters, tiny_dir, photo_files, tmp_path, capsys):
    paths, scores = photo_files
    csv = tmp_path / "user.csv"
    csv.write_text("image,score\n" + "".join(f"{p},{s}\n" for p, s in zip(paths, scores, strict=True)))
    parser = argparse.ArgumentParser()
    add_personalize_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["personalize", "task-vectors", "--model", str(tiny_dir), "--task-vectors",
                              ",".join(map(str, adapters)), "--examples", str(csv), "--out", str(tmp_path / "me"),
                              "--max-steps", "4", "--folds", "2"])
    assert args.func(args) == 0 and "saved personalized adapter" in capsys.readouterr().out
    info = json.loads((tmp_path / "me" / "personalization.json").read_text())
    assert np.asarray(info["coefficients"]).shape == (4, 3) and info["num_examples"] == len(paths)
    assert len(AestheticScorer.from_pretrained(tmp_path / "me").score(paths[:2])) == 2


@pytest.mark.slow
def test_recipe_trains_a_plain_lora_task_vector(tiny_dir, tmp_path):
    overrides = ["max_steps=2", "train.per_device_batch_size=2", "model.adaptation.lora_r=2", "train.progress=false",
                 "train.logging_steps=1", "data.max_length=160"]
    (out,) = train_task_vectors(tiny_dir, tmp_path, databases=["world_composition"], overrides=overrides)
    bank = TaskVectorBank.from_dirs([out])
    assert out.name == "world_composition" and bank.rank == 2 and bank.num_layers == 4


def test_reference_lines_use_other_users_on_the_same_queries_and_the_retest_pairs():
    images = [f"im{i}.jpg" for i in range(8)]
    user = UserRatings("me", images, np.arange(8.0), (1.0, 8.0), retest=[(1, 1.5), (4, 3.5), (6, 7), (2, 2)])
    twin = UserRatings("twin", images[::-1], np.arange(8.0)[::-1], (1.0, 8.0))  # same opinions, other order
    opposite = UserRatings("opp", images[:6], -np.arange(6.0), (1.0, 8.0))  # rated only six of them
    queries = [np.array([0, 1, 2, 3]), np.array([4, 5, 6, 7])]
    ref = reference_lines(user, [twin, opposite], queries)
    # draw 1: twin agrees (+1) and opposite disagrees (-1) -> 0; draw 2: opposite shares only 2 images -> twin alone
    assert ref["other_user"] == pytest.approx([0.0, 1.0])
    assert ref["test_retest"] == pytest.approx([stats.spearmanr([1.5, 3.5, 7, 2], [1, 4, 6, 2])[0]])
    assert reference_lines(UserRatings("x", images, np.arange(8.0), (1.0, 8.0)), [], queries) == {}
