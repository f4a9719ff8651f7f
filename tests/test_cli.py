"""The command line: env, init-model, score (JSON), and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from aesthetic_mllm.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_env_reports_versions_and_optional_deps(capsys):
    code, out, _ = _run(capsys, "env", "--json")
    info = json.loads(out)
    assert code == 0 and info["packages"]["torch"] and "bitsandbytes" in info["optional"]


def test_init_model_then_score_real_photos_as_json(tmp_path, photos, capsys):
    code, out, _ = _run(capsys, "init-model", str(tmp_path / "m"), "--preset", "tiny")
    assert code == 0 and (tmp_path / "m" / "model.safetensors").is_file()
    paths = []
    for i, photo in enumerate(photos[:2]):
        paths.append(tmp_path / f"p{i}.jpg")
        photo.save(paths[-1])
    code, out, _ = _run(capsys, "score", "--model", str(tmp_path / "m"), "--range", "1,10", "--json", *map(str, paths))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    for row in rows:
        assert row["range"] == [1.0, 10.0] and 1.0 <= row["score"] <= 10.0
        assert set(row["distribution"]) == {"excellent", "good", "fair", "poor", "bad"}
        assert sum(row["distribution"].values()) == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["missing", "corrupt", "not_an_image"])
def test_bad_image_gives_one_line_error_naming_the_file(kind, tiny_dir, tmp_path, capsys):
    bad = tmp_path / "bad.jpg"
    if kind == "corrupt":
        bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)  # a JPEG header, then nothing
    elif kind == "not_an_image":
        bad.write_text("just text")
    code, out, err = _run(capsys, "score", "--model", str(tiny_dir), str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(bad) in err and err.startswith("error: ")


def test_wrong_recipe_key_is_one_line_with_a_suggestion(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stage: stage2\ntrain: {max_stpes: 3}\n")
    code, _, err = _run(capsys, "train", str(recipe))
    assert code == 2 and err.count("\n") == 1 and "did you mean 'max_steps'" in err


def test_personalize_icl_from_the_main_cli(tiny_dir, tmp_path, photos, capsys):
    paths = []
    for i, photo in enumerate(photos[:3]):
        paths.append(tmp_path / f"p{i}.jpg")
        photo.save(paths[-1])
    examples = tmp_path / "user.csv"
    examples.write_text("image,score\np0.jpg,2\np1.jpg,4.5\n")  # relative to the CSV's folder
    code, out, _ = _run(capsys, "personalize", "icl", "--model", str(tiny_dir), "--examples", str(examples),
                        "--range", "1,5", "--json", str(paths[2]))
    row = json.loads(out)
    assert code == 0 and row["range"] == [1.0, 5.0] and 1.0 <= row["score"] <= 5.0
    examples.write_text("image,score\np0.jpg,2\np1.jpg,7\n")
    code, out, err = _run(capsys, "personalize", "icl", "--model", str(tiny_dir), "--examples", str(examples),
                          "--range", "1,5", str(paths[2]))
    assert code == 2 and out == "" and err.count("\n") == 1 and "outside the score range" in err
