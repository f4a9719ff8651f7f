"""The demo's tab functions without a browser: real tiny model, real photos, one-line errors."""

from __future__ import annotations

import pytest

from aesthetic_mllm.web import handlers
from aesthetic_mllm.web.handlers import DemoError


@pytest.fixture(scope="module")
def scorer(tiny_dir):
    import torch

    from aesthetic_mllm.scoring import AestheticScorer

    torch.set_num_threads(1)
    return AestheticScorer.from_pretrained(tiny_dir, device="cpu")


@pytest.fixture
def folder(tmp_path, photos):
    for name, photo in zip(("a", "b"), photos, strict=False):
        photo.resize((64, 64)).save(tmp_path / f"{name}.jpg")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "notes.txt").write_text("not a photo")
    return tmp_path


def test_photo_result_is_the_scorers_own(scorer, folder):
    result = handlers.analyse_photo(scorer, folder / "a.jpg")
    expected = scorer.score([folder / "a.jpg"])[0]
    assert result.score == pytest.approx(expected.score) and result.range == expected.range
    assert list(result.distribution) == scorer.words
    assert result.critique == scorer.comment([folder / "a.jpg"])[0]
    with pytest.raises(DemoError, match=r"broken\.png"):
        handlers.analyse_photo(scorer, folder / "broken.png")
    with pytest.raises(DemoError, match="no photo"):
        handlers.analyse_photo(scorer, None)


def test_batch_keeps_good_photos_and_names_bad_ones(scorer, folder, tmp_path):
    paths = handlers.collect_images(None, str(folder))
    assert [p.name for p in paths] == ["a.jpg", "b.jpg", "broken.png"]  # notes.txt is not an image suffix
    rows, problems = handlers.score_batch(scorer, paths)
    assert [r[0] for r in rows] == ["a.jpg", "b.jpg"] and len(problems) == 1 and "broken.png" in problems[0]
    csv_path = handlers.rows_to_csv(rows, ["file", "score", "word"], tmp_path / "out.csv")
    assert csv_path.read_text().splitlines()[0] == "file,score,word"
    with pytest.raises(DemoError, match="folder not found"):
        handlers.collect_images(None, str(folder / "missing"))
    with pytest.raises(DemoError, match="no photos"):
        handlers.collect_images([], "  ")


@pytest.mark.parametrize("text, message", [("4", "1 given for 2"), ("4 x", "item 2 'x' is not a number"),
                                           ("4, 9", r"item 2 \(9\) is outside the score range 1-5")])
def test_scores_text_errors(text, message):
    with pytest.raises(DemoError, match=message):
        handlers.parse_scores(text, 2, (1.0, 5.0))


def test_examples_csv(folder):
    good = folder / "examples.csv"
    good.write_text(f"image,score\na.jpg,4\n{folder / 'b.jpg'},2.5\n")
    assert handlers.read_examples_csv(good, (1.0, 5.0)) == [(folder / "a.jpg", 4.0), (folder / "b.jpg", 2.5)]
    (folder / "cols.csv").write_text("path,rating\na.jpg,4\n")
    with pytest.raises(DemoError, match=r"cols\.csv: missing column\(s\) image, score"):
        handlers.read_examples_csv(folder / "cols.csv", (1.0, 5.0))
    (folder / "row.csv").write_text("image,score\na.jpg,4\nb.jpg,high\n")
    with pytest.raises(DemoError, match=r"row\.csv, row 3, field 'score'"):
        handlers.read_examples_csv(folder / "row.csv", (1.0, 5.0))
