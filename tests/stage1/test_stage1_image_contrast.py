"""Stage-1 image contrast (``ssl.image_contrast_loss``): each single-image answer preferred beside its own image."""

from __future__ import annotations

import pytest
import torch

from aesthetic_mllm.config import SSLConfig
from aesthetic_mllm.data.collator import MultimodalCollator
from aesthetic_mllm.data.dataset import TaskDataset
from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.train.losses import contrast_pairs, image_contrast_loss
from aesthetic_mllm.train.objectives import SSL_LEVELS, Stage1Objective, Stage1Targets


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return from_preset("tiny")


def test_image_contrast_scores_each_answer_beside_another_image(tiny, tmp_path, photos):
    model, processor = tiny
    records = []
    for i, photo in enumerate(photos[:3]):
        path = tmp_path / f"p{i}.jpg"
        photo.resize((160, 120)).save(path)
        records.append(Record(id=f"p{i}", source="t", images=[str(path)], tags=["still life"]))
    targets = Stage1Targets(processor.tokenizer)
    kinds = {"how_to_fix": 1.0, "attributes": 1.0, "compare": 1.0}
    dataset = TaskDataset(records, {"ssl": 1.0}, processor, 1024, seed=0, num_samples=8,
                          task_options={"ssl": {"kinds": kinds}}, extras=targets)
    batch = MultimodalCollator(processor)([dataset[i] for i in range(8)])
    cfg = SSLConfig(attribute_loss=0.0, contrastive_loss=0.0, lm_loss=1.0, image_contrast_loss=0.5)
    objective = Stage1Objective(model, {lv: len(targets.names[lv]) for lv in SSL_LEVELS}, cfg)
    out = objective(batch["input_ids"], batch["attention_mask"], labels=batch["labels"],
                    pixel_values=batch["pixel_values"])

    config = model.config
    rows, _, partners = contrast_pairs(batch["input_ids"], batch["labels"], None, config.image_token_id,
                                       config.num_image_features)
    assert len(rows) >= 2, "the fixture needs single-image samples with different answers"
    with torch.no_grad():
        own = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                    pixel_values=batch["pixel_values"]).logits[rows]
        swapped = model(input_ids=batch["input_ids"][rows], attention_mask=batch["attention_mask"][rows],
                        pixel_values=batch["pixel_values"][partners]).logits
    expected = image_contrast_loss(own, swapped, batch["labels"][rows])
    torch.testing.assert_close(out["image_contrast_loss"], expected, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(out["loss"], out["lm_loss"] + 0.5 * out["image_contrast_loss"], rtol=1e-4, atol=1e-5)

