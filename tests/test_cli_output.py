"""``--output FILE.csv|.jsonl|.json`` for score/comment/suggest, the stdout table, and override typos."""

from __future__ import annotations

import csv
import json

import pytest

from aesthetic_mllm.cli import main


@pytest.fixture(scope="module")
def image_paths(photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("imgs")
    paths = []
    for i, photo in enumerate(photos[:2]):
        paths.append(folder / f"p{i}.jpg")
        photo.save(paths[-1])
    return [str(p) for p in paths]


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_score_output_file_in_each_format_and_a_table_on_stdout(tiny_dir, image_paths, tmp_path, capsys):
    rows = {}
    for ext in ("jsonl", "json", "csv"):
        target = tmp_path / f"scores.{ext}"
        code, out, err = _run(capsys, "score", "--model", str(tiny_dir), "--range", "1,10", "--output", str(target),
                              *image_paths)
        assert code == 0 and f"wrote 2 rows to {target}" in err
        lines = out.splitlines()  # the readable table: score, range, path
        assert len(lines) == 2 and all(line.split()[1] == "[1-10]" and line.split()[2] in image_paths
                                       for line in lines)
        rows[ext] = target
    jsonl = [json.loads(line) for line in rows["jsonl"].read_text().splitlines()]
    assert json.loads(rows["json"].read_text()) == jsonl
    assert [r["image"] for r in jsonl] == image_paths and all(r["range"] == [1.0, 10.0] for r in jsonl)
    with rows["csv"].open(newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == ["image", "score", "range_lo", "range_hi", "p_excellent", "p_good", "p_fair", "p_poor",
                              "p_bad"]
    for flat, row in zip(table, jsonl, strict=True):
        assert float(flat["score"]) == pytest.approx(row["score"], abs=1e-9)
        assert float(flat["p_fair"]) == pytest.approx(row["distribution"]["fair"], abs=1e-9)


def test_json_flag_prints_json_lines(tiny_dir, image_paths, capsys):
    code, out, _ = _run(capsys, "score", "--model", str(tiny_dir), "--json", *image_paths)
    assert code == 0 and [json.loads(line)["image"] for line in out.splitlines()] == image_paths


def test_comment_output_csv(tiny_dir, image_paths, tmp_path, capsys):
    target = tmp_path / "out" / "comments.csv"
    code, out, _ = _run(capsys, "comment", "--model", str(tiny_dir), "--max-new-tokens", "3", "--output", str(target),
                        *image_paths)
    with target.open(newline="") as f:
        table = list(csv.DictReader(f))
    assert code == 0 and [r["image"] for r in table] == image_paths and set(table[0]) == {"image", "comment"}
    assert [line.split("\t")[0] for line in out.splitlines()] == image_paths


def test_unknown_output_extension_fails_before_loading(image_paths, tmp_path, capsys):
    code, out, err = _run(capsys, "suggest", "--model", str(tmp_path / "no-such-model"), "--output",
                          str(tmp_path / "x.txt"), *image_paths)
    assert code == 2 and out == "" and err.count("\n") == 1 and "x.txt: --output must end in .csv" in err


def test_misspelled_shorthand_override_suggests_the_key(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stage: stage2\n")
    code, _, err = _run(capsys, "train", str(recipe), "max_stpes=3")
    assert code == 2 and err.count("\n") == 1 and "did you mean 'max_steps'" in err


def test_section_field_given_at_the_top_level_suggests_its_dotted_path(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stage: stage2\nlr_vision: 1.0e-5\n")
    code, _, err = _run(capsys, "train", str(recipe))
    assert code == 2 and "did you mean 'train.lr_vision'" in err
