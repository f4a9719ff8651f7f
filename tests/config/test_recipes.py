"""Every recipe loads and validates; wrong keys fail with a suggestion; overrides work."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aesthetic_mllm.config import ConfigError, Recipe, load_recipe

ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted(p for p in (ROOT / "recipes").rglob("*.yaml") if "accelerate" not in p.parts)
USER_PATH = "/path/to/"


def _paths(recipe: Recipe) -> list[str]:
    paths = [recipe.model.vision, recipe.model.llm, recipe.model.from_llava]
    paths += [s.root for s in recipe.data.sources]
    return [p for p in paths if p]


def test_there_are_recipes():
    assert {"stage1.yaml", "stage2.yaml"} <= {p.name for p in RECIPES if p.parent.name == "quickstart"}


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: str(p.relative_to(ROOT)))
def test_recipe_loads_and_paths_exist_or_are_user_supplied(path):
    recipe = load_recipe(path, ["output_dir=/tmp/x", "max_steps=3"])
    assert recipe.train.output_dir == "/tmp/x" and recipe.train.max_steps == 3
    for p in _paths(recipe):
        assert p.startswith(USER_PATH) or (ROOT / p).exists() or Path(p).exists(), f"{path}: {p} does not exist"


def test_misspelled_key_names_the_closest_valid_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"stage": "stage2", "train": {"learning_rate": 1e-4}}))
    with pytest.raises(ConfigError, match="unknown config key 'train.learning_rate'.*") as info:
        load_recipe(bad)
    assert "\n" not in str(info.value) and str(bad) in str(info.value)
    with pytest.raises(ConfigError, match="did you mean 'max_steps'"):
        load_recipe(ROOT / "recipes/quickstart/stage1.yaml", ["train.max_step=5"])


def test_wrong_types_and_values_are_named():
    qs = ROOT / "recipes/quickstart/stage2.yaml"
    with pytest.raises(ConfigError, match="train.max_steps: expected int"):
        load_recipe(qs, ["max_steps=many"])
    with pytest.raises(ConfigError, match="model.adaptation.method: 'lorra' is not one of"):
        load_recipe(qs, ["model.adaptation.method=lorra"])
    with pytest.raises(ConfigError, match="not of the form key=value"):
        load_recipe(qs, ["max_steps"])


def test_overrides_reach_nested_keys_and_aliases():
    recipe = load_recipe(ROOT / "recipes/quickstart/stage2.yaml",
                         ["model=/tmp/stage1", "train.lr=3e-4", "tasks.piaa=0.5", "data.sources=[{name: world}]"])
    assert recipe.model.path == "/tmp/stage1" and recipe.train.lr == pytest.approx(3e-4)
    assert recipe.tasks.piaa == 0.5 and recipe.data.sources[0].name == "world"


def test_model_resize_policy_is_a_checked_key():
    qs = ROOT / "recipes/quickstart/stage2.yaml"
    assert load_recipe(qs).model.resize is None  # the processor's saved policy
    assert load_recipe(qs, ["model.resize=pad"]).model.resize == "pad"
    with pytest.raises(ConfigError, match="model.resize: 'stretch' is not one of"):
        load_recipe(qs, ["model.resize=stretch"])
