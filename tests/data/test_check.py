"""``data check``: counts, score statistics, problems by kind and every problem line; exit status."""

from __future__ import annotations

import argparse
import io

import yaml

from aesthetic_mllm.data.check import add_check_arguments, run_check

from .conftest import image, table


def check(*argv: str) -> tuple[int, str]:
    parser = add_check_arguments(argparse.ArgumentParser(prog="aesthetic-mllm data check"))
    out = io.StringIO()
    return run_check(parser.parse_args(list(argv)), out=out), out.getvalue()


def test_clean_source_reports_statistics(dataset):
    code, text = check("--source", "ava", "--root", str(dataset("ava")))
    assert code == 0
    assert "records: 3" in text and "problems: 0" in text
    assert "scores (range [1, 10]): n=3 min=5 mean=6.833 max=10 std=2.248" in text


def test_problems_are_counted_and_listed(dataset):
    root = dataset("koniq_scores")
    (root / "1024x768" / "10004473376.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    path = root / "koniq10k_scores_and_distributions.csv"
    path.write_text(path.read_text() + "10007357496.jpg,4,3,2,1,0,10,2.0,1.0,30.25\nmissing.jpg,0,0,0,0,1,1,nan,0,0\n")
    code, text = check("--source", "koniq", "--root", str(root))
    assert code == 1
    assert "records: 1" in text and "problems: 3" in text
    assert "  bad value: 1" in text and "  corrupt image: 1" in text and "  duplicate row: 1" in text
    assert f"{path}, row 2, image '10004473376.jpg', field 'image_name': corrupt image" in text
    assert f"{path}, row 4, image '10007357496.jpg', field 'image_name': duplicate row" in text
    assert f"{path}, row 5, image 'missing.jpg', field 'MOS': bad value" in text


def test_no_decode_only_checks_existence(dataset):
    root = dataset("folder")
    (root / "a.jpg").write_bytes(b"not really a jpeg")
    assert check("--source", "folder", "--root", str(root))[0] == 1
    code, text = check("--source", "folder", "--root", str(root), "--no-decode")
    assert code == 0 and "records: 3" in text and "scores: none" in text


def test_yaml_config_with_options_and_split(dataset, tmp_path):
    root = dataset("mos")
    config = tmp_path / "check.yaml"
    config.write_text(yaml.safe_dump({"name": "mos", "root": str(root / "scores.csv"), "split": "test",
                                      "options": {"path_column": "path", "score_column": "mos",
                                                  "score_range": [0, 1], "split_column": "split"}}))
    code, text = check(str(config))
    assert code == 0 and "records: 1" in text and "splits: test=1" in text and "range [0, 1]" in text


def test_relative_root_in_config_is_relative_to_the_config(tmp_path):
    image(tmp_path / "data" / "x.jpg")
    table(tmp_path / "data" / "s.csv", ["image", "score"], [["x.jpg", 3]])
    (tmp_path / "c.yaml").write_text("name: mos\nroot: data/s.csv\noptions: {score_range: [1, 5]}\n")
    code, text = check(str(tmp_path / "c.yaml"))
    assert code == 0 and "records: 1" in text


def test_bad_requests_exit_2(dataset):
    root = str(dataset("mos"))
    code, text = check("--source", "mos", "--root", root)
    assert code == 2 and "score_range is required" in text
    code, text = check("--source", "avaa", "--root", root)
    assert code == 2 and "did you mean 'ava'" in text
    assert check()[0] == 2


def test_loader_options_on_the_command_line(dataset, tmp_path):
    root = dataset("koniq")
    code, text = check("--source", "koniq", "--root", str(root), "--split", "test",
                       "--option", "file=metadata/koniq10k_distributions_sets.csv", "--option", "image_dir=images/512x384")
    assert code == 0 and "records: 3" in text and "splits: test=3" in text
    assert "native range: [0, 100] (header: set column without MOS_zscore" in text
    config = tmp_path / "k.yaml"
    config.write_text(yaml.safe_dump({"name": "koniq", "root": str(root), "options": {"image_dir": "nowhere"}}))
    code, text = check(str(config), "--option", "score_range=[1, 5]", "--option", "image_dir=images/512x384")
    assert code == 1 and "native range: [1, 5] (option: score_range)" in text and "out of range" in text
    assert "missing image" not in text  # the flag replaced the YAML's image_dir


def test_bad_option_syntax_exits_2(dataset):
    code, text = check("--source", "aadb", "--root", str(dataset("aadb")), "--option", "giaa")
    assert code == 2 and "--option expects KEY=VALUE, got 'giaa'" in text


def test_warnings_and_rows_skipped_on_purpose_are_printed_apart(dataset):
    code, text = check("--source", "aadb", "--root", str(dataset("aadb")))
    assert code == 0 and "skipped on purpose: 1 (no answer: 1)" in text and "problems: 0" in text
    code, text = check("--source", "tad66k", "--root", str(dataset("tad66k")), "--option", "themes=true")
    assert code == 0 and "warning: tad66k: 2 images" in text
