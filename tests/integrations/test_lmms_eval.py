"""lmms-eval runs our model on our scoring task offline, and its SRCC equals our own harness's.

lmms-eval lives in its own venv (it requires torchvision, which here means a CUDA torch): the
test finds ``lmms-eval`` at ``$AESTHETIC_MLLM_LMMS_EVAL``, else ``.venv/lmms-eval/bin/lmms-eval``
(built by ``.ci/run``), else on PATH; without one it skips, except under CI, where it fails.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
NAMES = ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "horse", "moon", "page", "clock")


def lmms_eval_cli() -> str | None:
    for candidate in (os.environ.get("AESTHETIC_MLLM_LMMS_EVAL"), REPO / ".venv" / "lmms-eval" / "bin" / "lmms-eval",
                      shutil.which("lmms-eval")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    return None


@pytest.fixture(scope="module")
def cli() -> str:
    found = lmms_eval_cli()
    if found is None:
        reason = "lmms-eval is not installed (.ci/run builds .venv/lmms-eval; see docs/lmms_eval.md)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run this test")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def scored_csv(tmp_path_factory) -> Path:
    """Real photos (scikit-image) at 96 px and distinct scores on 1-5, as a CSV of image,score."""
    from PIL import Image
    from skimage import data

    root = tmp_path_factory.mktemp("lmms_data") / "photos"
    root.mkdir()
    rows = []
    for i, name in enumerate(NAMES):
        Image.fromarray(getattr(data, name)()).convert("RGB").resize((96, 96)).save(root / f"{name}.jpg")
        rows.append([f"{name}.jpg", 1 + 4 * ((i * 7) % len(NAMES)) / (len(NAMES) - 1)])
    path = root / "scores.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["image", "score"], *rows])
    return path


def run_lmms_eval(cli: str, model_dir: Path, task_dir: Path, out: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_HOME": str(out / "hf_home"), "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [cli, "eval", "--model", "aesthetic_mllm", "--model_args", f"pretrained={model_dir},score_range=1:5",
           "--tasks", "aesthetic_scoring", "--include_path", str(task_dir), "--device", "cpu", "--batch_size", "4",
           "--output_path", str(out / "results")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    files = sorted((out / "results").rglob("*_results.json"))
    assert files, f"lmms-eval wrote no results file: {proc.stdout[-2000:]} {proc.stderr[-2000:]}"
    return json.loads(files[-1].read_text())["results"]["aesthetic_scoring"]


def test_lmms_eval_srcc_matches_our_harness(cli, tiny_dir, scored_csv, tmp_path):
    from aesthetic_mllm.evaluation import run_benchmarks
    from aesthetic_mllm.integrations.lmms_eval import write_task

    task = write_task(scored_csv, tmp_path / "task", score_range="1,5")
    theirs = run_lmms_eval(cli, tiny_dir, task.parent, tmp_path)

    bench = tmp_path / "csv_scoring.yaml"
    bench.write_text(yaml.safe_dump({
        "description": "the same CSV through our own harness", "source": "mos", "root": scored_csv.parent.name,
        "options": {"file": scored_csv.name, "score_range": [1, 5]}, "task": "scoring", "protocol": "giaa",
        "score_range": [1, 5], "metrics": ["srcc", "plcc", "mae"]}))
    ours = run_benchmarks(tiny_dir, [str(bench)], data_root=scored_csv.parent.parent, out_dir=tmp_path / "ours")
    ours = ours["csv_scoring"]
    assert ours["n"] == len(NAMES)
    assert abs(theirs["srcc,none"]) > 0.0 and theirs["srcc,none"] == pytest.approx(ours["srcc"], abs=1e-6)
    assert theirs["plcc,none"] == pytest.approx(ours["plcc"], abs=1e-5)
    assert theirs["mae,none"] == pytest.approx(ours["mae"], abs=1e-5)


def test_write_task_reads_record_jsonl_and_names_bad_rows(scored_csv, tmp_path):
    from aesthetic_mllm.data.errors import DataError
    from aesthetic_mllm.integrations.lmms_eval import write_task

    records = tmp_path / "records.jsonl"
    rows = [{"id": f"r{i}", "source": "mine", "images": [str(scored_csv.parent / f"{n}.jpg")], "score": 2.0 + i,
             "score_range": [1, 10]} for i, n in enumerate(NAMES[:3])]
    records.write_text("".join(json.dumps(r) + "\n" for r in rows))
    task = write_task(records, tmp_path / "task", name="my_scores")
    docs = [json.loads(line) for line in (task.parent / "my_scores.jsonl").read_text().splitlines()]
    assert [(d["id"], d["score"], d["low"], d["high"]) for d in docs] == [("r0", 2.0, 1.0, 10.0), ("r1", 3.0, 1.0, 10.0),
                                                                      ("r2", 4.0, 1.0, 10.0)]
    assert docs[0]["choices"][0].endswith("excellent") and len(docs[0]["choices"]) == 5
    assert yaml.safe_load(task.read_text())["task"] == "my_scores"

    bad = tmp_path / "bad.csv"
    bad.write_text("image,score\nastronaut.jpg,7\n")
    with pytest.raises(DataError, match=r"bad\.csv, row .*score"):
        write_task(bad, tmp_path / "bad_task", score_range="1,5")
    with pytest.raises(DataError, match="score_range"):
        write_task(scored_csv, tmp_path / "no_range")
