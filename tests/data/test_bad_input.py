"""Bad input under both policies: ``raise`` stops at the first problem, ``skip`` drops and counts it.

Every message names the file, the row and the field.
"""

from __future__ import annotations

import pytest

from aesthetic_mllm.data.errors import DataError
from aesthetic_mllm.data.images import check_image, open_image
from aesthetic_mllm.data.sources import load_source

from .conftest import image, table

MOS = {"path_column": "path", "score_column": "mos", "score_range": (1, 5)}


def write_mos(root, rows, header=("path", "mos")):
    image(root / "good.jpg")
    return table(root / "scores.csv", list(header), [["good.jpg", 3], *rows])


def truncated(path):
    image(path, size=(64, 64))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def expect(policy, load, kind, file, row, field):
    """Under raise: the DataError; under skip: one dropped record and one counted problem."""
    if policy == "raise":
        with pytest.raises(DataError) as info:
            load("raise")
        error = info.value
    else:
        result = load("skip")
        assert len(result.problems) == 1 and result.problems.counts() == {kind: 1}
        error = result.problems.items[0]
    message = str(error)
    assert error.reason.startswith(kind) and str(file) in message
    if row is not None:
        assert error.row == row and f"row {row}" in message
    if field is not None:
        assert error.field == field and f"field '{field}'" in message
    return error


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_missing_image(tmp_path, policy):
    path = write_mos(tmp_path, [["gone.jpg", 4]])
    error = expect(policy, lambda p: load_source("mos", path, on_error=p, **MOS), "missing image", path, 3, "path")
    assert "gone.jpg" in error.reason


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_truncated_image(tmp_path, policy):
    truncated(tmp_path / "cut.jpg")
    path = write_mos(tmp_path, [["cut.jpg", 4]])
    load = lambda p: load_source("mos", path, on_error=p, verify_images=True, **MOS)  # noqa: E731
    expect(policy, load, "corrupt image", path, 3, "path")
    assert len(load_source("mos", path, **MOS).records) == 2  # existence only without verify_images


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_non_image_file(tmp_path, policy):
    (tmp_path / "notes.jpg").write_text("just text")
    path = write_mos(tmp_path, [["notes.jpg", 4]])
    load = lambda p: load_source("mos", path, on_error=p, verify_images=True, **MOS)  # noqa: E731
    expect(policy, load, "not an image", path, 3, "path")


def test_open_image_names_the_file(tmp_path):
    good = image(tmp_path / "ok.png", size=(5, 4))
    assert open_image(good).size == (5, 4) and check_image(good) is None
    for path, kind in ((truncated(tmp_path / "cut.jpg"), "corrupt image"), (tmp_path / "nope.jpg", "missing image"),
                       (tmp_path, "not an image")):
        with pytest.raises(DataError, match=kind) as info:
            open_image(path)
        assert info.value.file == str(path) and check_image(path).reason.startswith(kind)


@pytest.mark.parametrize("policy", ["raise", "skip"])
@pytest.mark.parametrize("value, kind", [("nan", "bad value"), ("", "missing value"), ("high", "bad value"),
                                         ("7.5", "out of range"), ("0", "out of range")])
def test_bad_scores(tmp_path, policy, value, kind):
    path = write_mos(tmp_path, [["good.jpg", value]])
    expect(policy, lambda p: load_source("mos", path, on_error=p, **MOS), kind, path, 3, "mos")


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_koniq_mos_out_of_range_names_the_image(dataset, policy):
    root = dataset("koniq_scores")
    path = root / "koniq10k_scores_and_distributions.csv"
    path.write_text(path.read_text().replace(",4.0,", ",7.0,"))
    error = expect(policy, lambda p: load_source("koniq", root, on_error=p), "out of range", path, 2, "MOS")
    assert error.image == "10004473376.jpg" and "row 2, image '10004473376.jpg', field 'MOS'" in str(error)


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_koniq_sets_file_mos_above_100(dataset, policy):
    root = dataset("koniq")
    path = root / "metadata" / "koniq10k_distributions_sets.csv"
    path.write_text(path.read_text().replace(",88.39,", ",188.39,"))
    error = expect(policy, lambda p: load_source("koniq", root, on_error=p), "out of range", path, 7, "MOS")
    assert "188.39 not in [0, 100]" in str(error) and error.image == "10021041374.jpg"


def test_a_bad_row_outside_the_requested_split_is_not_reported(dataset):
    root = dataset("koniq")
    path = root / "metadata" / "koniq10k_distributions_sets.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",78.5,", ",178.5,")  # a training row out of range
    lines[2] = lines[2].replace(",22.25,", ",,")  # a training row with no MOS
    path.write_text("\n".join(lines) + "\n")
    test = load_source("koniq", root, split="test", on_error="raise")
    assert len(test.records) == 3 and not test.problems.items
    whole = load_source("koniq", root)
    assert whole.problems.counts() == {"out of range": 1, "missing value": 1}
    assert {e.image for e in whole.problems.items} == {"10004473376.jpg", "10007357496.jpg"}
    assert len(load_source("koniq", root, split="train").problems) == 2


def test_every_row_problem_names_its_image(dataset, tmp_path):
    root = dataset("tad66k")
    with open(root / "merge" / "test.csv", "a", newline="") as handle:
        handle.write("g.jpg,eleven\r\nh.jpg,\r\n")
    problems = load_source("tad66k", root).problems
    assert [(e.kind, e.image) for e in problems.items] == [("bad value", "g.jpg"), ("missing value", "h.jpg")]
    assert all(f"image '{e.image}'" in str(e) for e in problems.items)


def test_aadb_zero_score_is_no_answer_not_a_problem(dataset):
    root = dataset("aadb")
    for policy in ("raise", "skip"):
        result = load_source("aadb", root, on_error=policy)
        assert not result.problems.items and result.problems.skipped_counts() == {"no answer": 1}
        skipped = result.problems.skipped[0]
        assert skipped.field == "Answer.overallScore7" and skipped.row == 3 and skipped.image is not None


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_aadb_unknown_attribute_answer(dataset, policy):
    root = dataset("aadb")
    path = root / "imgListFiles_label" / "AADB_AllinAll.csv"
    path.write_text(path.read_text().replace('"Negative"', '"Maybe"', 1))
    error = expect(policy, lambda p: load_source("aadb", root, on_error=p), "bad value", path, 2, None)
    assert "'Maybe' is not Positive, Negative, Neutral or empty" in str(error) and error.image


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_misspelled_column_suggests_the_closest(dataset, policy):
    root = dataset("flickr_aes")
    path = root / "FLICKR-AES_image_labeled_by_each_worker.csv"
    path.write_text(path.read_text().replace(" score", " scroe", 1))
    error = expect(policy, lambda p: load_source("flickr_aes", root, on_error=p), "missing column", path, 1, "score")
    assert "did you mean 'scroe'?" in str(error)


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_missing_column(tmp_path, policy):
    path = write_mos(tmp_path, [], header=("path", "rating"))
    load = lambda p: load_source("mos", path, on_error=p, **MOS)  # noqa: E731
    expect(policy, load, "missing column", path, 1, "mos")


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_duplicate_rows(dataset, policy):
    root = dataset("ava")
    with open(root / "AVA.txt", "a") as handle:
        handle.write("4 101 0 0 0 0 0 0 0 0 0 10 0 0 7\n")
    error = expect(policy, lambda p: load_source("ava", root, on_error=p), "duplicate row", root / "AVA.txt", 4,
                   "image_id")
    assert "'101' already read at row 2" in str(error)


@pytest.mark.parametrize("policy", ["raise", "skip"])
@pytest.mark.parametrize("content", ["", "path,mos\n"])
def test_empty_file(tmp_path, policy, content):
    path = tmp_path / "scores.csv"
    path.write_text(content)
    expect(policy, lambda p: load_source("mos", path, on_error=p, **MOS), "empty file", path, None, None)


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_empty_ava_and_missing_file(tmp_path, policy):
    (tmp_path / "AVA.txt").write_text("\n")
    expect(policy, lambda p: load_source("ava", tmp_path, on_error=p), "empty file", tmp_path / "AVA.txt", None, None)
    expect(policy, lambda p: load_source("koniq", tmp_path, on_error=p), "missing file", tmp_path, None, None)
    expect(policy, lambda p: load_source("pccd", tmp_path, on_error=p), "missing file", tmp_path, None, None)


@pytest.mark.parametrize("policy", ["raise", "skip"])
def test_malformed_ava_row(dataset, policy):
    root = dataset("ava")
    with open(root / "AVA.txt", "a") as handle:
        handle.write("4 103 0 0 0 0\n")
    error = expect(policy, lambda p: load_source("ava", root, on_error=p), "malformed row", root / "AVA.txt", 4, None)
    assert error.image == "103"


def test_data_errors_survive_pickling():
    import pickle

    error = DataError("a.csv", "out of range: 7 not in [1, 5]", 3, "MOS", "x.jpg")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) == "a.csv, row 3, image 'x.jpg', field 'MOS': out of range: 7 not in [1, 5]"
    assert (copy.file, copy.row, copy.field, copy.image, copy.kind) == ("a.csv", 3, "MOS", "x.jpg", "out of range")


def test_skip_keeps_the_good_records_and_counts_every_problem(tmp_path):
    truncated(tmp_path / "cut.jpg")
    path = write_mos(tmp_path, [["gone.jpg", 4], ["good.jpg", "nan"], ["cut.jpg", 2], ["good.jpg", 4]])
    result = load_source("mos", path, verify_images=True, **MOS)
    assert [r.score for r in result.records] == [3.0]
    assert result.problems.counts() == {"missing image": 1, "bad value": 1, "corrupt image": 1, "duplicate row": 1}


def test_mos_needs_an_explicit_score_range(tmp_path):
    path = write_mos(tmp_path, [])
    for policy in ("raise", "skip"):
        with pytest.raises(DataError, match="score_range is required") as info:
            load_source("mos", path, on_error=policy, path_column="path", score_column="mos")
        assert info.value.field == "score_range" and str(path) in str(info.value)


def test_configuration_mistakes_raise(dataset):
    root = dataset("ava")
    with pytest.raises(DataError, match="defines no 'test' split.*test_list"):
        load_source("ava", root, split="test")
    with pytest.raises(ValueError, match="did you mean 'verify_images'"):
        load_source("ava", root, verify_image=True)
    with pytest.raises(ValueError, match="did you mean 'tad66k'"):
        load_source("tad66", root)
    with pytest.raises(ValueError, match="has splits"):
        load_source("tad66k", root, split="val")
    with pytest.raises(ValueError, match="is a folder; pass file="):
        load_source("mos", root, score_range=(1, 5))
