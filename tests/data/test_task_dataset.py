"""TaskDataset: deterministic task mixture, lazy decoding, skipping broken images, draft lengths."""

from __future__ import annotations

import os
from collections import Counter

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from aesthetic_mllm.data.collator import MultimodalCollator  # noqa: E402
from aesthetic_mllm.data.dataset import TaskDataset  # noqa: E402
from aesthetic_mllm.data.images import open_image  # noqa: E402
from aesthetic_mllm.data.schema import Record  # noqa: E402
from aesthetic_mllm.model.loading import from_preset  # noqa: E402
from aesthetic_mllm.train.trainer import SeedableLengthGroupedSampler  # noqa: E402

MIXTURE = {"scoring": 2.0, "commenting": 1.0, "piaa": 1.0}


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model, processor = from_preset("tiny")
    return model.eval(), processor


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    out = []
    for i in range(12):
        path = root / f"p{i}.jpg"
        Image.new("RGB", (32, 24), (20 * i, 100, 255 - 20 * i)).save(path)
        out.append(Record(id=f"p{i}", source="test", images=[str(path)], score=1 + i % 5, score_range=(1, 5),
                          histogram=[1, i % 3, 2, 1, 0], comments=[f"Comment number {i}."], user_id=f"u{i % 2}"))
    (root / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    for name in ("missing.jpg", "corrupt.jpg"):
        out.append(Record(id=name, source="test", images=[str(root / name)], score=3, score_range=(1, 5),
                          comments=["Broken."]))
    return out


def test_items_are_deterministic_for_a_seed(tiny, records):
    _, processor = tiny
    a = TaskDataset(records, MIXTURE, processor, max_length=512, seed=7)
    b = TaskDataset(records, MIXTURE, processor, max_length=512, seed=7)
    assert len(a) == len(b)
    for i in (0, 5, 11):
        assert torch.equal(a[i]["input_ids"], b[i]["input_ids"]) and torch.equal(a[i]["labels"], b[i]["labels"])
    c = TaskDataset(records, MIXTURE, processor, max_length=512, seed=8)
    assert [a.task_of(i) for i in range(len(a))] != [c.task_of(i) for i in range(len(c))]


def test_mixture_weights_are_followed(tiny, records):
    _, processor = tiny
    ds = TaskDataset(records, {"scoring": 3.0, "commenting": 1.0}, processor, max_length=512, num_samples=2000)
    share = Counter(ds.task_of(i) for i in range(len(ds)))["scoring"] / len(ds)
    assert 0.7 < share < 0.8


def test_broken_images_are_skipped_and_counted(tiny, records):
    _, processor = tiny
    ds = TaskDataset(records, {"commenting": 1.0}, processor, max_length=512, seed=0)
    items = [ds[i] for i in range(len(ds))]
    assert all(item["pixel_values"].shape == (1, 3, 96, 96) for item in items)
    assert ds.skipped >= 2
    assert ds.skip_counts() == {"worker": None, "counts": {"DataError": ds.skipped}}


def test_samples_that_cannot_fit_are_skipped(tiny, records):
    _, processor = tiny
    ds = TaskDataset(records[:12], {"piaa": 1.0, "scoring": 1.0}, processor, max_length=60,
                     task_options={"piaa": {"shots": 3, "min_shots": 3}})
    for i in range(len(ds)):
        assert len(ds[i]["input_ids"]) <= 60
    assert ds.skip_counts()["counts"].get("SampleTooLongError", 0) > 0


def test_lengths_do_not_decode_images_and_match_items(tiny, records):
    _, processor = tiny
    opened = []

    def tracking_open(path):
        opened.append(path)
        return open_image(path)

    ds = TaskDataset(records[:12], MIXTURE, processor, max_length=512, open_image=tracking_open)
    lengths = ds.lengths()
    assert not opened
    assert lengths == [len(ds[i]["input_ids"]) for i in range(len(ds))]


def test_dataloader_batches_reach_the_model(tiny, records):
    model, processor = tiny
    ds = TaskDataset(records, {**MIXTURE, "ssl": 1.0}, processor, max_length=512, seed=1)
    sampler = SeedableLengthGroupedSampler(4, ds.lengths(), seed=0)
    loader = DataLoader(ds, batch_size=4, sampler=sampler, collate_fn=MultimodalCollator(processor))
    ssl_items = [ds[i] for i in range(len(ds)) if ds.task_of(i) == "ssl"]
    assert ssl_items and all(item["pixel_values"].shape[0] in (1, 2) for item in ssl_items)
    batch = next(iter(loader))
    batch.pop("soft_targets", None)
    with torch.no_grad():
        assert torch.isfinite(model(**batch).loss)


def test_bad_mixtures_are_clear_errors(tiny, records):
    _, processor = tiny
    with pytest.raises(ValueError, match="unknown task"):
        TaskDataset(records, {"scorring": 1.0}, processor, max_length=64)
    with pytest.raises(ValueError, match="no record"):
        TaskDataset(records, {"suggesting": 1.0}, processor, max_length=64)
    with pytest.raises(ValueError, match="weights"):
        TaskDataset(records, {"scoring": -1.0}, processor, max_length=64)


def test_one_epoch_uses_every_record_of_every_task(tiny, records):
    """Under a mixture each task sees each record it accepts at least once per epoch (a scored record
    drawn as a comment must not lose its score for the whole run), in the mixture's proportions."""
    _, processor = tiny
    ds = TaskDataset(records, MIXTURE, processor, max_length=512, seed=3)
    for name, task in ds.tasks.items():
        accepted = {i for i, r in enumerate(ds.records) if task.accepts(r)}
        planned = {ds._plan[i][1] for i in range(len(ds)) if ds.task_of(i) == name}
        assert planned == accepted, f"task {name}: records {sorted(accepted - planned)} never planned in an epoch"
    counts = Counter(ds.task_of(i) for i in range(len(ds)))
    total = sum(MIXTURE.values())
    for name, weight in MIXTURE.items():
        assert abs(counts[name] - len(ds) * weight / total) <= 1, (name, counts, len(ds))


def test_an_index_past_the_end_raises_so_iteration_ends(tiny, records):
    """Python's sequence protocol (``for item in dataset``, ``list(dataset)``) stops at IndexError; a dataset
    that wraps indices around never ends (transformers' length fallback iterates it)."""
    _, processor = tiny
    ds = TaskDataset(records[:12], {"commenting": 1.0}, processor, max_length=512)
    with pytest.raises(IndexError, match="out of range"):
        ds[len(ds)]
    assert len(list(ds)) == len(ds)
