"""Length grouping through the Trainer: transformers' ``LengthGroupedSampler`` fed draft lengths (no
image decoded), an order fixed by the seed and the epoch, and a run resumed in a later epoch that
sees the batches an uninterrupted run would (grouped and random order alike)."""

from __future__ import annotations

import math
import random

import pytest
import torch
from PIL import Image
from torch.utils.data import RandomSampler
from transformers.trainer_pt_utils import LengthGroupedSampler

from aesthetic_mllm.config import load_recipe
from aesthetic_mllm.data.collator import MultimodalCollator, padding_waste
from aesthetic_mllm.data.dataset import TaskDataset
from aesthetic_mllm.data.images import open_image
from aesthetic_mllm.data.schema import Record
from aesthetic_mllm.model.loading import from_preset
from aesthetic_mllm.train.trainer import AestheticTrainer, SeedableLengthGroupedSampler
from aesthetic_mllm.train.workflows import training_arguments

from .conftest import FAST, STAGE2

BATCH = 2


def _batches(order: list[int], size: int) -> list[list[int]]:
    return [order[i : i + size] for i in range(0, len(order), size)]


def test_order_is_length_grouped_and_fixed_by_seed_and_epoch():
    lengths = [random.Random(i).randint(10, 500) for i in range(1000)]
    sampler = SeedableLengthGroupedSampler(8, lengths, seed=3)
    first = list(sampler)
    assert sorted(first) == list(range(1000)) and len(sampler) == 1000
    assert lengths[first[0]] == max(lengths)  # the longest batch first: an out-of-memory error shows at step 1
    torch.manual_seed(123)  # the global RNG plays no part
    assert list(SeedableLengthGroupedSampler(8, lengths, seed=3)) == first
    assert list(SeedableLengthGroupedSampler(8, lengths, seed=4)) != first
    sampler.set_epoch(1)
    second = list(sampler)
    assert second != first and sorted(second) == sorted(first)
    sampler.set_epoch(0)
    assert list(sampler) == first


def test_length_grouping_reduces_padding_waste():
    rng = random.Random(0)
    lengths = [rng.choice([40, 60, 300, 900]) + rng.randint(0, 30) for _ in range(2000)]
    grouped = _batches(list(SeedableLengthGroupedSampler(16, lengths, seed=0)), 16)
    shuffled = _batches(list(RandomSampler(lengths, generator=torch.Generator().manual_seed(0))), 16)
    assert padding_waste(lengths, grouped) < 0.2 * padding_waste(lengths, shuffled)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    out = []
    for i in range(9):
        path = root / f"p{i}.jpg"
        Image.new("RGB", (32, 24), (25 * i, 90, 250 - 25 * i)).save(path)
        comment = " ".join(["The light is soft and the subject sits well in the frame."] * (1 + i % 4))
        out.append(Record(id=f"p{i}", source="test", images=[str(path)], score=1 + i % 5, score_range=(1, 5),
                          comments=[comment]))
    return out


def _dataset(records, opened: list[str] | None = None) -> TaskDataset:
    _, processor = from_preset("tiny")

    def tracking_open(path):
        if opened is not None:
            opened.append(path)
        return open_image(path)

    return TaskDataset(records, {"scoring": 1.0, "commenting": 1.0}, processor, max_length=256, seed=0,
                       open_image=tracking_open)


class RecordingTrainer(AestheticTrainer):
    """The project's trainer, noting the dataset indices of every batch it trains on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[list[int]] = []

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        self.seen.append(inputs["sample_ids"].tolist())
        return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)


def _trainer(dataset, out, grouped: bool, max_steps: int, save_steps: int = 0) -> RecordingTrainer:
    recipe = load_recipe(STAGE2, FAST + [f"output_dir={out}", f"max_steps={max_steps}", f"train.save_steps={save_steps}",
                                         f"train.per_device_batch_size={BATCH}", "train.logging_steps=100",
                                         f"train.group_by_length={str(grouped).lower()}", "train.report_to=none",
                                         "train.dataloader_num_workers=0"])
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    return RecordingTrainer(model=model, args=training_arguments(recipe), train_dataset=dataset,
                            data_collator=MultimodalCollator(processor))


def test_the_trainer_groups_by_draft_lengths_without_decoding_images(records, tmp_path):
    opened: list[str] = []
    dataset = _dataset(records, opened)
    trainer = _trainer(dataset, tmp_path, grouped=True, max_steps=1)
    assert trainer.args.train_sampling_strategy == "group_by_length"
    sampler = trainer._get_train_sampler()
    assert isinstance(sampler, LengthGroupedSampler) and sampler.lengths == dataset.lengths()
    assert sampler.batch_size == BATCH * trainer.args.gradient_accumulation_steps
    assert not opened
    first = list(sampler)
    assert dataset.lengths()[first[0]] == max(dataset.lengths())
    loader_ids = [b["sample_ids"].tolist() for b in trainer.get_train_dataloader()]
    assert loader_ids == _batches(first, BATCH)
    plain = _trainer(dataset, tmp_path, grouped=False, max_steps=1)
    assert plain.args.train_sampling_strategy == "random"
    assert type(plain._get_train_sampler()) is RandomSampler
    with pytest.raises(ValueError, match="disagrees with TrainingArguments"):
        AestheticTrainer(model=plain.model, args=plain.args, train_dataset=dataset, group_by_length=True)


@pytest.mark.parametrize("grouped", [True, False], ids=["grouped", "random"])
def test_a_run_resumed_in_a_later_epoch_sees_the_same_batches(records, tmp_path, grouped):
    dataset = _dataset(records)
    per_epoch = math.ceil(len(dataset) / BATCH)
    assert per_epoch >= 3
    save = per_epoch + 2  # a checkpoint two steps into the second epoch
    total = 2 * per_epoch + 1  # into the third epoch
    straight = _trainer(dataset, tmp_path / "straight", grouped, total, save_steps=save)
    straight.train()
    epochs = [sorted(i for b in straight.seen[e * per_epoch:(e + 1) * per_epoch] for i in b) for e in range(2)]
    assert epochs[0] == epochs[1] == list(range(len(dataset)))  # every sample once per epoch
    assert straight.seen[:per_epoch] != straight.seen[per_epoch:2 * per_epoch]  # a new order each epoch
    resumed = _trainer(dataset, tmp_path / "straight", grouped, total, save_steps=save)
    resumed.train(resume_from_checkpoint=str(tmp_path / "straight" / f"checkpoint-{save}"))
    assert resumed.seen == straight.seen[save:]
