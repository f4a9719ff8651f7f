"""The demo world: fast, deterministic, split by photo, distinct users and databases, synthetic."""

from __future__ import annotations

import itertools
import json
import time

import numpy as np
import pytest
from scipy.stats import spearmanr

import aesthetic_mllm.data.sources.world  # noqa: F401  (registers the "world" source)
from aesthetic_mllm.data.images import open_image
from aesthetic_mllm.data.sources import load_source
from aesthetic_mllm.data.world import DATABASES, SUBSETS, USERS, World, assign_splits, build_world
from aesthetic_mllm.data.world.variants import PAIR_EDITS, SCORED_EDITS
from aesthetic_mllm.model.presets import get_preset

OPPOSITE = [("u01_bright_vivid", "u02_dark_muted"), ("u03_sharp_detail", "u04_soft_minimal"),
            ("u05_centred", "u06_off_centre"), ("u07_high_contrast", "u08_low_contrast")]
SMALL = {"photos": ["astronaut", "coffee", "camera", "rocket", "chelsea", "brick", "moon", "flower", "china",
                    "grace_hopper"], "variants_per_photo": 3, "unlabeled_views": 1}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    start = time.perf_counter()
    built = build_world(tmp_path_factory.mktemp("world"), seed=0)
    built.build_seconds = time.perf_counter() - start
    return built


def test_builds_fast_and_is_labelled_synthetic(world):
    assert world.build_seconds < 60
    assert world.manifest["synthetic"] is True and "SYNTHETIC" in world.manifest["note"]
    for subset in SUBSETS:
        records = world.records(subset)
        assert records, subset
        assert all(r.meta["synthetic"] is True for r in records)
        assert all(p.startswith(str(world.root)) for r in records for p in r.images)
    assert len(world.photos) >= 20
    scoring = world.records("scoring")
    assert all(len(r.histogram) == 10 and r.score_range == (1.0, 10.0) and r.comments for r in scoring)
    assert all(r.attributes and r.tags for r in scoring)


def test_split_by_photo(world):
    counts = {s: sum(p["split"] == s for p in world.photos) for s in ("train", "val", "test")}
    assert counts["test"] >= 6 and counts["val"] >= 3 and counts["train"] > counts["test"]
    photo_split = {p["name"]: p["split"] for p in world.photos}
    for subset in SUBSETS:
        for record in world.records(subset):
            assert record.split == photo_split[record.meta["photo"]]
    assert {r.split for r in world.records("unlabeled")} == {"train"}
    assert len(world.records("scoring", split="test")) >= 50


def test_split_is_stratified_by_content_kind(world):
    kinds = {p["kind"] for p in world.photos}
    assert kinds == {"photo", "texture", "science", "document"}
    for kind in kinds:
        splits = {p["split"] for p in world.photos if p["kind"] == kind}
        assert {"train", "test"} <= splits, kind
    names = [f"p{i}" for i in range(10)]
    split = assign_splits(names, np.random.default_rng(0), kinds={n: "ab"[i % 2] for i, n in enumerate(names)},
                          min_test=2, min_val=1)
    for kind in "ab":
        assert {"train", "test"} <= {split[n] for i, n in enumerate(names) if "ab"[i % 2] == kind}


def test_images_are_rendered_at_the_model_input_size(world):
    size = world.manifest["params"]["image_size"]
    assert size == get_preset("demo").image_size
    for subset in ("scoring", "pairs", "unlabeled"):
        for record in world.records(subset)[::7]:
            assert all(open_image(p).size == (size, size) for p in record.images), record.id


def test_absolute_scores_count_only_visible_edits(world):
    scoring = world.records("scoring")
    assert {e["name"] for r in scoring for e in r.meta["edits"]} == set(SCORED_EDITS)
    originals = {r.meta["photo"]: np.asarray(open_image(r.image), np.float32) for r in scoring if not r.meta["edits"]}
    for record in scoring:
        if record.meta["edits"]:
            diff = np.abs(np.asarray(open_image(record.image), np.float32) - originals[record.meta["photo"]]).mean()
            assert diff > 0.5, (record.id, diff)  # the edit survives at the size the model sees
    assert {r.meta["quality"] for r in scoring if not r.meta["edits"]} == {1.0}  # one base quality
    pair_edits = {e["name"] for p in world.records("pairs") for e in p.meta["edits"]}
    assert set(PAIR_EDITS) <= pair_edits  # crop, tilt and colour edits where the original is shown


def test_unlabeled_views_are_plentiful_and_unscored(world):
    unlabeled = world.records("unlabeled")
    train_photos = {p["name"] for p in world.photos if p["split"] == "train"}
    assert len(unlabeled) >= 20 * len(train_photos)
    assert len(unlabeled) >= 4 * len(world.records("scoring", split="train"))
    assert all(r.score is None and r.attributes and r.meta["photo"] in train_photos for r in unlabeled)
    sharpness = [r.attributes["sharpness"] for r in unlabeled]
    assert np.std(sharpness) > 0.05  # views carry edits, so the pixel pseudo-labels vary


def test_scores_follow_known_quality(world):
    scoring = world.records("scoring")
    quality = [r.meta["quality"] for r in scoring]
    assert spearmanr(quality, [r.score for r in scoring])[0] > 0.9
    for record in scoring:
        assert record.meta["suggestions"] == [e["advice"] for e in record.meta["edits"]]
        assert len(record.meta["edits"]) <= 2
        assert (record.meta["quality"] == 1.0) == (not record.meta["edits"])
    pairs = world.records("pairs")
    assert all(len(p.images) == 2 and p.meta["better"] == 0 and p.meta["suggestions"] for p in pairs)


def _ratings(world):
    by_user: dict[str, dict[str, float]] = {}
    for record in world.records("users"):
        if not record.meta["rerating"]:
            by_user.setdefault(record.user_id, {})[record.meta["variant"]] = record.score
    return by_user


def _rho(by_user: dict[str, dict[str, float]], a: str, b: str) -> float:
    common = sorted(set(by_user[a]) & set(by_user[b]))
    return float(spearmanr([by_user[a][k] for k in common], [by_user[b][k] for k in common])[0])


def test_users_have_distinct_tastes(world):
    by_user = _ratings(world)
    assert len(by_user) >= 8 and len(world.users) == len(USERS)
    scores = np.array([v for ratings in by_user.values() for v in ratings.values()])
    assert scores.min() >= 1 and scores.max() <= 5 and np.all(scores * 2 == np.round(scores * 2))
    for a, b in OPPOSITE:
        assert _rho(by_user, a, b) < 0.0, (a, b)
    assert max(_rho(by_user, a, b) for a, b in itertools.combinations(sorted(by_user), 2)) < 0.9


def test_reratings_measure_test_retest(world):
    records = world.records("users")
    first = {r.id: r for r in records if not r.meta["rerating"]}
    again = [r for r in records if r.meta["rerating"]]
    assert len(again) >= 0.2 * len(first)
    errors = []
    for record in again:
        original = first[record.meta["first_rating"]]
        assert record.meta["session"] == 2 and original.meta["session"] == 1
        assert (record.user_id, record.images) == (original.user_id, original.images)
        errors.append(abs(record.score - original.score))
    assert 0.1 < float(np.mean(errors)) < 1.0


def test_databases_differ(world):
    assert set(world.databases) == set(DATABASES) and len(DATABASES) >= 3
    scores = {name: {r.meta["variant"]: r.score for r in world.records("databases", database=name)}
              for name in DATABASES}
    keys = sorted(scores["world_technical"])
    for a, b in itertools.combinations(DATABASES, 2):
        assert spearmanr([scores[a][k] for k in keys], [scores[b][k] for k in keys])[0] < 0.8
    colour = world.records("databases", database="world_colour")
    assert all(r.source == "world_colour" and r.score_range == (1.0, 10.0) and r.histogram for r in colour)
    assert all(r.score_range == (1.0, 5.0) for r in world.records("databases", database="world_technical"))


def test_source_reads_the_built_world(world):
    result = load_source("world", world.root, split="test", subset="databases", database="world_colour")
    assert result.records and all(r.split == "test" and r.source == "world_colour" for r in result.records)
    users = load_source("world", world.root, subset="users", user="u09_purist", limit=5).records
    assert len(users) == 5 and {r.user_id for r in users} == {"u09_purist"}
    with pytest.raises(ValueError, match="subset"):
        load_source("world", world.root, subset="nope")


def test_deterministic_for_a_seed_and_reused(tmp_path):
    a = build_world(tmp_path / "a", seed=3, **SMALL)
    b = build_world(tmp_path / "b", seed=3, **SMALL)
    assert (tmp_path / "a" / "world.json").read_bytes() == (tmp_path / "b" / "world.json").read_bytes()
    for name in ("photos/astronaut.jpg", "variants/coffee_01.jpg", "variants/rocket_02.jpg", "pairs/coffee_p01.jpg"):
        assert (a.root / "images" / name).read_bytes() == (b.root / "images" / name).read_bytes()
    other = build_world(tmp_path / "c", seed=4, **SMALL)
    assert other.params_hash != a.params_hash
    assert [r.meta["edits"] for r in other.records()] != [r.meta["edits"] for r in a.records()]
    stamp = (tmp_path / "a" / "world.json").stat().st_mtime_ns
    start = time.perf_counter()
    again = build_world(tmp_path / "a", seed=3, **SMALL)
    assert time.perf_counter() - start < 2 and (tmp_path / "a" / "world.json").stat().st_mtime_ns == stamp
    assert isinstance(again, World) and json.loads((tmp_path / "a" / "world.json").read_text())["params"]["seed"] == 3
