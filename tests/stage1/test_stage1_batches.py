"""Stage-1 batches: each image's cues stay aligned per level after collation; pseudo-labels computed once."""

from __future__ import annotations

import pytest
import torch

from aesthetic_mllm.config import SSLConfig
from aesthetic_mllm.data.collator import MultimodalCollator
from aesthetic_mllm.data.dataset import TaskDataset
from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.data.tasks import Sample
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.train.objectives import SSL_LEVELS, Stage1Objective, Stage1Targets


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return from_preset("tiny")


def _item(targets, photo, seed):
    sample = Sample([{"role": "user", "content": "<image>\nq"}, {"role": "assistant", "content": f"a{seed}"}],
                    [photo], {})
    return targets(sample, [photo])


def test_cues_of_different_lengths_stay_aligned_per_level(tiny, photos):
    model, processor = tiny
    targets = Stage1Targets(processor.tokenizer, max_cue_tokens=512, seed=0)
    candidates = [_item(targets, photo, i * 7 + j) for i, photo in enumerate(photos) for j in range(3)]
    widths = [it["image_cue_ids"].shape[-1] for it in candidates]
    items = [candidates[widths.index(min(widths))], candidates[widths.index(max(widths))], candidates[0]]
    assert len({it["image_cue_ids"].shape[-1] for it in items}) > 1, "the fixture needs cues of different lengths"
    collated = MultimodalCollator(processor)([{"input_ids": [1, 2], **it} for it in items])
    objective = Stage1Objective(model, {lv: len(targets.names[lv]) for lv in SSL_LEVELS}, SSLConfig())
    with torch.no_grad():
        for level in range(len(SSL_LEVELS)):
            batch = objective._cue_embeddings(collated["image_cue_ids"], level)
            alone = torch.cat([objective._cue_embeddings(it["image_cue_ids"], level) for it in items])
            torch.testing.assert_close(batch, alone, msg=f"level {SSL_LEVELS[level]}: cues misaligned in the batch")


def test_pseudo_labels_are_computed_once_per_image_at_one_resolution(tiny, tmp_path, photos, monkeypatch):
    import aesthetic_mllm.data.pseudo_labels as pl

    _, processor = tiny
    records = []
    for i, photo in enumerate(photos[:3]):
        path = tmp_path / f"u{i}.jpg"
        photo.resize((320, 240)).save(path)
        records.append(Record(id=f"u{i}", source="t", images=[str(path)], tags=["still life"]))
    calls: list[int] = []
    real = pl.compute_attributes

    def counting(image, size=512):
        calls.append(size)
        return real(image, size=size)

    monkeypatch.setattr(pl, "compute_attributes", counting)
    ds = TaskDataset(records, {"ssl": 1.0}, processor, 512, seed=0, num_samples=24,
                     extras=Stage1Targets(processor.tokenizer, seed=0))
    for index in range(len(ds)):
        calls.clear()
        item = ds[index]
        shown = len(item["pixel_values"])
        assert len(calls) <= shown, f"sample {index}: {len(calls)} pseudo-label passes for {shown} image(s)"
        assert len(set(calls)) <= 1, f"sample {index}: pseudo-labels at several resolutions {calls}"
