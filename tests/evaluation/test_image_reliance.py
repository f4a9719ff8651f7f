"""The blind control: the same batches scored with each sample's own images and with other samples'."""

from __future__ import annotations

import pytest
import torch

from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.evaluation.image_reliance import answer_losses, swap_images
from aesthetic_mllm.model.loading import load_model


def _records(tmp_path, photos, distinct: bool):
    out = []
    for i in range(8):
        path = tmp_path / f"p{i}.png"
        photos[i % len(photos) if distinct else 0].resize((64, 48)).save(path)
        out.append(Record(id=f"p{i}", source="t", images=[str(path)], score=1.0 + i, score_range=(1, 10)))
    return out


def test_swapping_identical_images_changes_nothing(tiny_dir, tmp_path, photos):
    model, processor = load_model(tiny_dir)
    own, other = answer_losses(model.eval(), processor, _records(tmp_path, photos, distinct=False), "scoring",
                               samples=8, batch_size=8)
    assert own == other and own > 0


def test_swapped_images_belong_to_other_samples(tiny_dir, tmp_path, photos):
    model, processor = load_model(tiny_dir)
    records = _records(tmp_path, photos, distinct=True)
    own, other = answer_losses(model.eval(), processor, records, "scoring", samples=8, batch_size=8)
    assert own != other  # an untrained model's answers still move with the pixels
    pixels = torch.arange(6.0).view(6, 1, 1, 1)
    assert swap_images(pixels).flatten().tolist() == [3, 4, 5, 0, 1, 2]  # pairs (0, 1) get (3, 4): not their own
    again = answer_losses(model, processor, records, "scoring", samples=8, batch_size=8)
    assert again == (own, other)  # seeded samples: two models are compared on the same batches


def test_unknown_task_is_named(tiny_dir):
    model, processor = load_model(tiny_dir)
    with pytest.raises(ValueError, match="unknown task 'scorring'.*scoring"):
        answer_losses(model, processor, [], "scorring")
