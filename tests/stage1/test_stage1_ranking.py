"""Stage-1 pair ranking (``ssl.rank_loss``): which image of a pair is the original, and the loss on it."""

from __future__ import annotations

import random

import pytest
import torch

from aesthetic_mllm.config import SSLConfig
from aesthetic_mllm.data.collator import MultimodalCollator
from aesthetic_mllm.data.tasks import Sample
from aesthetic_mllm.data.tasks.ssl import SSLTask
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.train.objectives import SSL_LEVELS, Stage1Objective, Stage1Targets


@pytest.fixture(scope="module")
def photo_record(tmp_path_factory, photos):
    from aesthetic_mllm.data.schema import Record

    path = tmp_path_factory.mktemp("rank") / "coffee.jpg"
    photos[1].resize((128, 96)).save(path)
    return Record(id="coffee", source="t", images=[str(path)], tags=["food"])


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return from_preset("tiny")


def _samples(photo_record, kind: str, edits=("blur",), n: int = 6) -> list[Sample]:
    task = SSLTask(kinds={kind: 1.0}, edits=edits)
    return [task.build(photo_record, random.Random(i)) for i in range(n)]


def test_pair_samples_name_their_original(photo_record):
    for sample in _samples(photo_record, "compare"):
        assert sample.meta["original"] == sample.meta["better"]
        # the original is the untouched photo: the other image differs from it
        assert sample.images[sample.meta["original"]] is not sample.images[1 - sample.meta["original"]]
    assert {s.meta["original"] for s in _samples(photo_record, "compare", n=12)} == {0, 1}
    assert {s.meta["original"] for s in _samples(photo_record, "what_changed")} == {0}
    assert all("original" not in s.meta for s in _samples(photo_record, "how_to_fix"))


def test_rank_roles_follow_the_original_and_the_edit_filter(tiny, photo_record):
    _, processor = tiny
    targets = Stage1Targets(processor.tokenizer, rank=True, rank_edits=["blur", "noise"])
    for sample in _samples(photo_record, "compare") + _samples(photo_record, "what_changed"):
        roles = targets(sample, sample.images)["image_rank"].tolist()
        assert roles[sample.meta["original"]] == 1.0 and roles[1 - sample.meta["original"]] == -1.0
    for sample in _samples(photo_record, "compare", edits=("color_cast",)) + _samples(photo_record, "how_to_fix"):
        assert set(targets(sample, sample.images)["image_rank"].tolist()) == {0.0}, sample.meta
    every = Stage1Targets(processor.tokenizer, rank=True)
    sample = _samples(photo_record, "compare", edits=("color_cast",))[0]
    assert sorted(every(sample, sample.images)["image_rank"].tolist()) == [-1.0, 1.0]
    assert "image_rank" not in Stage1Targets(processor.tokenizer)(sample, sample.images)


def test_unknown_rank_edits_are_named(tiny):
    _, processor = tiny
    with pytest.raises(ValueError, match=r"ssl.rank_edits.*'blurr'"):
        Stage1Targets(processor.tokenizer, rank=True, rank_edits=["blurr", "noise"])


def test_rank_loss_prefers_the_original_and_trains_the_encoder(tiny, photo_record):
    model, processor = tiny
    targets = Stage1Targets(processor.tokenizer, rank=True)
    samples = _samples(photo_record, "compare", n=4) + _samples(photo_record, "how_to_fix", n=2)
    items = []
    for s in samples:
        item = {"input_ids": [1, 2], "pixel_values": processor.preprocess_images(s.images), **targets(s, s.images)}
        items.append(item)
    batch = MultimodalCollator(processor)(items)
    cfg = SSLConfig(attribute_loss=0.0, contrastive_loss=0.0, lm_loss=0.0, rank_loss=1.0)
    objective = Stage1Objective(model, {lv: len(targets.names[lv]) for lv in SSL_LEVELS}, cfg)
    out = objective(batch["input_ids"], batch["attention_mask"], pixel_values=batch["pixel_values"],
                    image_rank=batch["image_rank"])
    scores = objective.rank_scores(model.encode_images(batch["pixel_values"])).detach()
    roles = batch["image_rank"]
    expected = torch.nn.functional.softplus(scores[roles < 0] - scores[roles > 0]).mean()
    torch.testing.assert_close(out["rank_loss"], expected)
    assert int((roles > 0).sum()) == 4 and int((roles == 0).sum()) == 2
    objective.zero_grad()
    out["loss"].backward()
    assert objective.rank_head.weight.grad.abs().sum() > 0
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.vision_tower.parameters())


def test_a_batch_without_pairs_gives_zero_rank_loss_and_no_head_without_the_loss(tiny, photo_record):
    model, processor = tiny
    targets = Stage1Targets(processor.tokenizer, rank=True)
    s = _samples(photo_record, "how_to_fix", n=1)[0]
    batch = MultimodalCollator(processor)([{"input_ids": [1, 2], "pixel_values": processor.preprocess_images(s.images),
                                            **targets(s, s.images)}])
    cfg = SSLConfig(attribute_loss=1.0, contrastive_loss=0.0, lm_loss=0.0, rank_loss=1.0)
    objective = Stage1Objective(model, {lv: len(targets.names[lv]) for lv in SSL_LEVELS}, cfg)
    out = objective(batch["input_ids"], batch["attention_mask"], pixel_values=batch["pixel_values"],
                    image_attr_targets=batch["image_attr_targets"], image_rank=batch["image_rank"])
    assert float(out["rank_loss"]) == 0.0
    assert not hasattr(Stage1Objective(model, {lv: 1 for lv in SSL_LEVELS}, SSLConfig()), "rank_head")
