"""Every benchmark YAML in eval/ against its loader on the official-layout fixture: the declared
``score_range`` must be the range the loader reads, through the eval harness's loading path."""

from __future__ import annotations

from pathlib import Path

import pytest

from aesthetic_mllm.evaluation.benchmark import list_benchmarks, load_benchmark
from aesthetic_mllm.evaluation.protocols import make_protocol
from aesthetic_mllm.evaluation.protocols.base import load_records

from .conftest import WRITERS

BENCHMARKS = [name for name in list_benchmarks() if not name.startswith("world_")]
# files a protocol needs that the datasets do not ship (named in the YAMLs)
EXTRA_FILES = {"flickr_aes": {"test_workers.txt": "AGXT2OHMTWBRS\n"}, "para": {"test_users.txt": "u2\n"}}


def data_root(tmp_path: Path, source: str) -> Path:
    root = WRITERS[source](tmp_path / source)
    for name, text in EXTRA_FILES.get(source, {}).items():
        (root / name).write_text(text)
    return tmp_path


def test_every_dataset_benchmark_is_covered():
    assert {"ava", "koniq", "spaq", "tad66k", "para", "aadb", "pccd", "ava_captions"} <= set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_declared_range_is_what_the_loader_reads(tmp_path, name):
    bench = load_benchmark(name)
    if bench.task == "scoring":
        assert bench.score_range is not None, f"{name}: a scoring benchmark must declare its native score_range"
    root = data_root(tmp_path, bench.source)
    records = load_records(bench, root)
    ranges = {r.score_range for r in records if r.score_range is not None}
    if bench.score_range is not None:
        assert ranges == {bench.score_range}, f"{name}: declares {bench.score_range}, the loader reads {ranges}"
    if bench.protocol == "giaa":
        protocol = make_protocol(bench)
        samples = protocol.samples(root, None)
        assert protocol.score_range == bench.score_range and samples
        assert all(bench.score_range[0] <= r.score <= bench.score_range[1] for r in samples)


def test_a_wrong_declared_range_is_caught(tmp_path):
    bench = load_benchmark("koniq", overrides=["score_range=[1, 5]"])
    with pytest.raises(ValueError, match=r"declares score_range \(1.0, 5.0\) but records use \{\(0.0, 100.0\)\}"):
        make_protocol(bench).samples(data_root(tmp_path, "koniq"), None)
