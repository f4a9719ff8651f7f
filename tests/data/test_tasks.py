"""Task builders: one rendered-prompt snapshot per task (ChatML tiny tokenizer) plus label maths.

Refresh the snapshots with ``UPDATE_SNAPSHOTS=1 pytest tests/data/test_tasks.py``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from types import SimpleNamespace

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from aesthetic_mllm.contract.chat import render  # noqa: E402
from aesthetic_mllm.contract.levels import (  # noqa: E402
    expected_level,
    histogram_to_word_distribution,
    level_to_score,
    level_to_word,
    score_to_level,
)
from aesthetic_mllm.contract.prompts import format_score  # noqa: E402
from aesthetic_mllm.data.schema import Record  # noqa: E402
from aesthetic_mllm.data.tasks import TASKS, TaskBuilder, make_task, register_task  # noqa: E402
from aesthetic_mllm.model.tokenizer import build_tiny_tokenizer  # noqa: E402

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture(scope="module")
def tokenizer():
    return build_tiny_tokenizer(template="chatml")


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.is_file(), f"{path} missing: run with UPDATE_SNAPSHOTS=1 to write it"
    assert text == path.read_text(), f"rendered prompt differs from {path} (UPDATE_SNAPSHOTS=1 to accept)"


def record(**fields) -> Record:
    return Record(**{"id": "r0", "source": "test", "images": ["photos/r0.jpg"], **fields})


def fake_edit(image, name, severity, seed):
    return SimpleNamespace(image=image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), name=name, severity=severity,
                           description=f"{name} changed by level {severity}", advice=f"Undo the {name} change.")


def fake_ssl(kind: str, **options) -> TaskBuilder:
    return make_task("ssl", kinds={kind: 1.0}, edits=["exposure"], severities=[2],
                     open_image=lambda path: Image.new("RGB", (8, 8), "gray"),
                     compute_attributes=lambda img: {"brightness": 0.5, "thirds": 0.9},
                     apply_edit=fake_edit,
                     describe_attributes=lambda attrs, level, rng: f"{level} cue {sorted(attrs)}",
                     describe_edit=lambda result, seed: result.description,
                     describe_fix=lambda result, seed: result.advice,
                     level_attributes={"low": ["brightness"], "middle": ["thirds"]}, **options)


PIAA_USER = [record(id=f"u{i}", images=[f"photos/u{i}.jpg"], score=s, score_range=(1, 5), user_id="alice")
             for i, s in enumerate([4.5, 2.0, 3.5, 1.0, 5.0])]

CASES = {
    "scoring": (lambda: make_task("scoring"),
                record(score=7.2, score_range=(1, 10), histogram=[0, 0, 1, 2, 5, 10, 8, 3, 1, 0])),
    "commenting": (lambda: make_task("commenting"),
                   record(comments=["Lovely light on the subject.", "Horizon is tilted."])),
    "suggesting": (lambda: make_task("suggesting"),
                   record(meta={"advice": ["Raise the exposure by one stop", "Straighten the horizon."]})),
    "piaa": (lambda: make_task("piaa", shots=3, min_shots=3), PIAA_USER[0]),
    "ssl_attributes": (lambda: fake_ssl("attributes", levels=["low"]), record()),
    "ssl_compare": (lambda: fake_ssl("compare"), record()),
    "ssl_what_changed": (lambda: fake_ssl("what_changed"), record()),
    "ssl_how_to_fix": (lambda: fake_ssl("how_to_fix"), record()),
    "chat": (lambda: make_task("chat"), record(messages=[{"from": "human", "value": "<image>\nWhat is this?"},
                                                         {"from": "gpt", "value": "A cat on a sofa."}])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_prompt_snapshot(name, tokenizer):
    factory, rec = CASES[name]
    task = factory()
    task.bind(PIAA_USER)
    assert task.accepts(rec)
    sample = task.build(rec, random.Random(0))
    text = render(sample.conversation, tokenizer)
    assert text.count("<image>") == len(sample.images)
    check_snapshot(name, text)


def test_every_registered_task_has_a_snapshot():
    assert {name.split("_")[0] for name in CASES} == set(TASKS)


def test_draft_matches_build_without_pixels():
    task = fake_ssl("compare")
    task.open_image = lambda path: pytest.fail("draft must not open images")
    draft = task.draft(record(), random.Random(0))
    assert len(draft.images) == 2 and draft.conversation[0]["content"].count("<image>") == 2


@pytest.mark.parametrize("score_range", [(1, 10), (0, 1), (0, 100), (1, 5)])
def test_score_level_round_trip(score_range):
    lo, hi = score_range
    for frac in (0.0, 0.3, 0.5, 1.0):
        score = lo + frac * (hi - lo)
        level = score_to_level(score, score_range)
        assert 1.0 <= level <= 5.0
        assert level_to_score(level, score_range) == pytest.approx(score)
    assert score_to_level(hi + 5, score_range) == 5.0


def test_level_words():
    assert [level_to_word(v) for v in (1.0, 1.4, 2.5, 3.49, 4.6, 5.0)] == ["bad", "bad", "fair", "fair", "excellent",
                                                                           "excellent"]


def test_histogram_to_words_keeps_mass_and_mean():
    hist = [0, 0, 1, 2, 5, 10, 8, 3, 1, 0]  # AVA-style, ratings 1..10
    probs = histogram_to_word_distribution(hist, ["excellent", "good", "fair", "poor", "bad"])
    assert sum(probs) == pytest.approx(1.0)
    mean_level = sum(p * lv for p, lv in zip(probs, (5, 4, 3, 2, 1), strict=True))
    mean_score = sum(k * c for k, c in zip(range(1, 11), hist, strict=False)) / sum(hist)
    assert mean_level == pytest.approx(score_to_level(mean_score, (1, 10)))
    assert histogram_to_word_distribution([1, 0, 0, 0, 3]) == pytest.approx([0.75, 0, 0, 0, 0.25])
    with pytest.raises(ValueError):
        histogram_to_word_distribution([0, 0])


def test_scoring_soft_target_and_configurable_words():
    task = make_task("scoring", words=["great", "ok", "awful"])
    sample = task.build(record(score=0.9, score_range=(0, 1), histogram=[0, 1, 3]), random.Random(1))
    assert sample.conversation[-1]["content"] == "The aesthetic quality of this photo is great."
    assert len(sample.meta["soft_target"]) == 3 and sample.meta["score_range"] == (0, 1)
    assert "soft_target" not in make_task("scoring", soft_labels=False).build(
        record(score=0.9, score_range=(0, 1), histogram=[0, 1, 3]), random.Random(0)).meta
    assert not task.accepts(record(score=3))  # no explicit range: refused


@pytest.mark.parametrize(("score", "expected"), [(3.7, [0.0, 0.7, 0.3, 0.0, 0.0]), (5.0, [1.0, 0, 0, 0, 0]),
                                                 (1.0, [0, 0, 0, 0, 1.0])])
def test_scoring_soft_target_of_a_mos_is_its_level(score, expected):
    """A MOS without a histogram (KonIQ, SPAQ, PARA) is a histogram with every vote at its score:
    its two nearest levels share the mass, so the expected level is the MOS's level."""
    sample = make_task("scoring").build(record(score=score, score_range=(1, 5)), random.Random(0))
    assert sample.meta["soft_target"] == pytest.approx(expected)
    assert expected_level(np.array(sample.meta["soft_target"])) == pytest.approx(score_to_level(score, (1, 5)))


def test_piaa_shots_come_from_the_same_user():
    task = make_task("piaa", shots=3)
    other = record(id="b0", images=["b.jpg"], score=2, score_range=(1, 5), user_id="bob")
    task.bind([*PIAA_USER, other])
    assert not task.accepts(other)  # bob has no second image to show as a shot
    for seed in range(5):
        sample = task.build(PIAA_USER[0], random.Random(seed))
        shot_ids = sample.meta["shot_ids"]
        assert 1 <= len(shot_ids) <= 3 and "u0" not in shot_ids and len(set(shot_ids)) == len(shot_ids)
        assert sample.images[-1] == PIAA_USER[0].image
    assert [format_score(0.456, (0, 1)), format_score(3.25, (1, 5)), format_score(57.4, (0, 100))] == [
        "0.46", "3.2", "57"]


def test_suggesting_from_edits_and_commenting_choice():
    edits = [SimpleNamespace(advice="Raise the exposure."), {"advice": "Reduce the noise"}]
    sample = make_task("suggesting").build(record(meta={"edits": edits}), random.Random(0))
    assert sample.conversation[-1]["content"] == "Raise the exposure. Reduce the noise."
    assert not make_task("commenting").accepts(record(comments=["  "]))


def test_registry_errors():
    with pytest.raises(ValueError, match="did you mean 'scoring'"):
        make_task("scorin")
    with pytest.raises(ValueError, match="twice"):
        register_task("scoring")(type("Again", (TaskBuilder,), {"build": lambda self, r, g: None}))


@pytest.mark.parametrize("kind", ["attributes", "compare", "what_changed", "how_to_fix"])
def test_ssl_with_the_real_pixel_modules(kind, tmp_path):
    """Default pseudo-labels, edits and cues: reproducible text, images in prompt order."""
    path = tmp_path / "photo.png"
    Image.new("RGB", (48, 32), (200, 120, 40)).save(path)
    task = make_task("ssl", kinds={kind: 1.0}, levels=["low", "middle"])
    first, again = (task.build(record(images=[str(path)]), random.Random(3)) for _ in range(2))
    assert first.conversation == again.conversation and first.meta["kind"] == kind
    assert first.conversation[-1]["content"].strip()
    assert all(isinstance(im, Image.Image) for im in first.images)
    assert first.conversation[0]["content"].count("<image>") == len(first.images)


def test_ssl_attributes_with_real_pseudo_labels():
    """Attribute cues computed from pixels by ``pseudo_labels`` when the record has none cached."""
    task = make_task("ssl", kinds={"attributes": 1.0}, levels=["middle"],
                     open_image=lambda path: Image.new("RGB", (64, 48), (120, 60, 30)),
                     describe_attributes=lambda attrs, level, rng: f"{level}: {len(attrs)} attributes")
    sample = task.build(record(), random.Random(0))
    assert isinstance(sample.images[0], Image.Image)
    assert "thirds" in sample.meta["attributes"] and sample.meta["level"] == "middle"


def test_ssl_kinds_are_checked():
    with pytest.raises(ValueError, match="unknown ssl kinds.*how_to_fix"):
        make_task("ssl", kinds={"how_to_fx": 1.0})
    with pytest.raises(ValueError, match="positive sum"):
        make_task("ssl", kinds={"compare": 0.0})
