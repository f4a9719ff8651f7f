"""Each dataset laid out as its official release ships it: ``data check`` reads every well-formed row
with 0 problems and reports the native range (and why) and the split counts; the facts of issue 11."""

from __future__ import annotations

import argparse
import io

import pytest

from aesthetic_mllm.data.check import add_check_arguments, run_check
from aesthetic_mllm.data.sources import load_source
from aesthetic_mllm.evaluation.benchmark import load_benchmark
from aesthetic_mllm.evaluation.protocols import make_protocol

from .conftest import KONIQ_SETS, WRITERS


def check(*argv: str) -> tuple[int, str]:
    parser = add_check_arguments(argparse.ArgumentParser(prog="aesthetic-mllm data check"))
    out = io.StringIO()
    return run_check(parser.parse_args(list(argv)), out=out), out.getvalue()


CASES = [  # source, extra flags, expected lines
    ("koniq", [], ["records: 7", "splits: train=3, val=1, test=3",
                   "native range: [0, 100] (header: set column without MOS_zscore"]),
    ("koniq", ["--split", "test"], ["records: 3", "splits: test=3", "native range: [0, 100] (header:"]),
    ("koniq", ["--option", "file=metadata/koniq10k_distributions_sets.csv", "--option", "image_dir=images/512x384",
               "--option", "score_range=[0, 100]"], ["records: 7", "native range: [0, 100] (option: score_range)"]),
    ("pccd", [], ["records: 4", "splits: train=2, val=1, test=1", "native range: [0, 10] (default:"]),
    ("aadb", [], ["records: 19", "native range: [1, 5] (default:", "skipped on purpose: 1 (no answer: 1)"]),
    ("aadb", ["--option", "giaa=true", "--option", "attributes=true"],
     ["records: 5", "splits: train=2, val=1, test=2", "native range: [0, 1] (default:"]),
    ("tad66k", [], ["records: 6", "splits: train=3, test=3", "native range: [1, 10] (default:"]),
    ("tad66k", ["--option", "themes=true"],
     ["records: 6", "splits: train=3, test=3", "warning: tad66k: 2 images (3 theme-file rows) are in another split"]),
    ("para", ["--option", "giaa=true"], ["records: 2", "splits: train=1, test=1", "native range: [1, 5] (default:"]),
    ("para", ["--option", "test_users=[u2]"], ["records: 3", "splits: train=2, test=1"]),
    ("flickr_aes", [], ["records: 3", "native range: [1, 5] (default:"]),
    ("flickr_aes", ["--option", "giaa=true"],
     ["records: 2", "native range: [0, 5] (file: scores 0.35..4.65 in FLICKR-AES_image_score.txt, not on 1-5"]),
    ("flickr_aes", ["--option", "giaa=true", "--option", "score_range=[0,5]"],
     ["records: 2", "native range: [0, 5] (option: score_range)"]),
    ("ava_captions", [], ["records: 2", "splits: train=1, test=1"]),
    ("ava", ["--option", "test_list=test_ids.txt"], ["records: 3", "splits: train=2, test=1",
                                                     "native range: [1, 10] (default:"]),
    ("spaq", [], ["records: 2", "native range: [0, 100] (default:"]),
]


@pytest.mark.parametrize("source, flags, expected", CASES, ids=[f"{c[0]}{'+' if c[1] else ''}" for c in CASES])
def test_data_check_on_the_official_layout(dataset, source, flags, expected):
    code, text = check("--source", source, "--root", str(dataset(source)), *flags)
    assert code == 0 and "problems: 0" in text, text
    for line in expected:
        assert line in text, (line, text)


def test_every_dataset_family_has_an_official_layout_case():
    assert {c[0] for c in CASES} >= set(WRITERS) - {"realcur", "llava_json", "mos", "folder"}


def test_koniq_both_release_files_and_both_layouts(dataset, tmp_path):
    sets = load_source("koniq", dataset("koniq"), on_error="raise")
    assert sets.info["score_range"] == (0.0, 100.0) and sets.info["score_range_from"].startswith("header:")
    by_id = {r.id: r for r in sets.records}
    for name, counts, mos, _, part in KONIQ_SETS:
        record = by_id[name]
        assert record.score == mos and record.histogram == [float(c) for c in counts]
        assert record.split == {"training": "train", "validation": "val", "test": "test"}[part]
    worst, best = by_id["10015149744.jpg"], by_id["10021041374.jpg"]
    assert worst.normalized_score() < 0.05 and best.normalized_score() > 0.88  # meaning not inverted
    scores = load_source("koniq", dataset("koniq_scores"), on_error="raise")
    assert scores.info["score_range"] == (1.0, 5.0) and "MOS_zscore" in scores.info["score_range_from"]
    # the sets file at the root with 512x384/ beside it (older copies)
    old = tmp_path / "old"
    (old / "512x384").mkdir(parents=True)
    for path in (dataset("koniq") / "images" / "512x384").iterdir():
        (old / "512x384" / path.name).write_bytes(path.read_bytes())
    (old / "koniq10k_distributions_sets.csv").write_text(
        (dataset("koniq") / "metadata" / "koniq10k_distributions_sets.csv").read_text())
    assert len(load_source("koniq", old, split="test", on_error="raise").records) == 3


def test_koniq_score_range_option_overrides_the_header(dataset):
    root = dataset("koniq")
    with pytest.raises(Exception, match="out of range: 78.5 not in \\[1, 5\\]"):
        load_source("koniq", root, score_range=[1, 5], on_error="raise")


def test_koniq_yaml_evaluates_every_test_row_in_its_true_range(dataset):
    root = dataset("koniq")
    bench = load_benchmark("koniq")
    protocol = make_protocol(bench)
    samples = protocol.samples(root.parent, None)  # the harness: --data-root holds koniq/
    expected = sorted(name for name, *_, part in KONIQ_SETS if part == "test")
    assert sorted(r.id for r in samples) == expected
    assert protocol.score_range == (0.0, 100.0) == bench.score_range
    assert {r.score for r in samples} == {3.91, 88.39, 50.0}


def test_tad66k_theme_files_never_move_a_test_image_into_training(dataset):
    root = dataset("tad66k")
    result = load_source("tad66k", root, themes=True, on_error="raise")
    splits = {r.id: r.split for r in result.records}
    assert splits["d.jpg"] == "test" and splits["e.jpg"] == "test" and len(result.records) == 6
    tags = {r.id: r.tags for r in result.records}
    assert tags["d.jpg"] == ["flower", "tree"] and tags["f.jpg"] == ["animal"]
    assert result.info["theme_split_disagreements"] == 2
    assert len(result.warnings) == 1 and "unmerge/train/flower.csv (merged: test): 2" in result.warnings[0]
    train = load_source("tad66k", root, split="train", themes=True).records
    assert sorted(r.id for r in train) == ["a.jpg", "b.jpg", "c.jpg"]


def test_tad66k_files_have_crlf_line_endings(dataset):
    assert b"\r\n" in (dataset("tad66k") / "merge" / "test.csv").read_bytes()


def test_aadb_release_header_is_quoted_with_text_answers(dataset):
    root = dataset("aadb")
    head = (root / "imgListFiles_label" / "AADB_AllinAll.csv").read_text().splitlines()[1]
    assert head.startswith('"HIT1","W1"') and '"Positive"' in head and '""' in head
    records = load_source("aadb", root, on_error="raise").records
    values = {v for r in records for v in r.attributes.values()}
    assert values == {-1.0, 0.0, 1.0}
    assert all(r.attributes for r in records) and all("light" in r.attributes or len(r.attributes) < 11
                                                      for r in records)


def test_aadb_per_attribute_giaa_lists_when_asked(dataset):
    root = dataset("aadb")
    plain = load_source("aadb", root, giaa=True, split="test", on_error="raise").records
    assert all(r.attributes == {} for r in plain)
    test = load_source("aadb", root, giaa=True, attributes=True, split="test", on_error="raise").records
    assert [(r.score, r.attributes) for r in test] == [(0.9, {"ColorHarmony": -0.2, "Light": 0.4}),
                                                       (0.15, {"ColorHarmony": -0.2, "Light": -0.35})]


def test_aadb_release_file_names_are_found(dataset, tmp_path):
    root = dataset("aadb")
    labels = root / "imgListFiles_label"
    (root / "AllinAll.csv").write_text((labels / "AADB_AllinAll.csv").read_text())
    (labels / "AADB_AllinAll.csv").unlink()
    result = load_source("aadb", root, on_error="raise")
    assert len(result.records) == 19 and result.info["file"].endswith("AllinAll.csv")


def test_aadb_free_text_answer_column_is_left_out_with_a_warning(tmp_path):
    from .conftest import aadb_name, aadb_url, image, table

    header = ",".join(f'"{c}"' for c in ["WorkerId", "Input.image_url1", "Answer.overallScore1", "Answer.content1",
                                         "Answer.comment1"])
    rows = [[f'"{c}"' for c in ("W1", aadb_url(1), 4, "Positive", "lovely, 5 stars")],
            [f'"{c}"' for c in ("W2", aadb_url(1), 2, "Negative", "")]]
    table(tmp_path / "imgListFiles_label" / "AADB_AllinAll.csv", header, rows)
    image(tmp_path / "datasetImages_originalSize" / aadb_name(1))
    result = load_source("aadb", tmp_path, on_error="raise")
    assert [r.attributes for r in result.records] == [{"content": 1.0}, {"content": -1.0}]
    assert len(result.warnings) == 1 and "Answer.comment<k> holds free text" in result.warnings[0]
