"""A built wheel carries the recipes, benchmark YAMLs and DeepSpeed configs, and works outside the checkout.

The source tree is copied, built with ``pip wheel --no-deps --no-build-isolation``, and the wheel
installed (``--no-deps``) into a fresh venv that borrows this venv's dependencies through a
``.pth`` file; ``aesthetic-mllm eval --benchmarks world_scoring --limit 4`` then runs from an
unrelated directory on a tiny saved model.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
SKIP = shutil.ignore_patterns(".git", ".venv", "outputs", "build", "dist", "*.egg-info", "__pycache__", ".*cache",
                              "runs", "wandb")


def _run(cmd, cwd, env=None, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = tmp_path_factory.mktemp("src") / "aesthetic_mllm_src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
          "-q", "-w", dist, src], cwd=src)
    (built,) = dist.glob("aesthetic_mllm-*.whl")
    return built


def test_wheel_holds_the_data_folders(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in (("recipes", "**/*.yaml"), ("eval", "*.yaml"), ("deepspeed_configs", "*.json")):
        expected = {f"aesthetic_mllm/_data/{folder}/{p.relative_to(ROOT / folder).as_posix()}"
                    for p in (ROOT / folder).glob(pattern)}
        assert expected and expected <= names, sorted(expected - names)[:5]
    assert not any(n.startswith(("eval/", "recipes/", "tests/")) for n in names)  # no stray top-level packages


def test_installed_wheel_evaluates_from_another_directory(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    target = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip())
    # borrow this venv's dependencies (a plain path line: its own .pth files, e.g. the editable install, are not run)
    (target / "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    assert sysconfig.get_paths()["purelib"] in site.getsitepackages()
    _run([py, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q", wheel], tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
    where = _run([py, "-c", "import aesthetic_mllm.resources as r; print(r.__file__); print(r.resource_dir('eval'))"],
                 elsewhere, env).stdout.split()
    assert all(Path(p).is_relative_to(target) for p in where), where  # the wheel, not the checkout

    cli = env_dir / "bin" / "aesthetic-mllm"
    _run([cli, "init-model", elsewhere / "tiny"], elsewhere, env)
    _run([cli, "eval", "--model", "tiny", "--benchmarks", "world_scoring", "--limit", "4", "--out", "eval_out"],
         elsewhere, env)
    results = json.loads((elsewhere / "eval_out" / "results.json").read_text())
    assert set(results) == {"world_scoring"} and "srcc" in results["world_scoring"]
    listed = _run([cli, "eval", "--list"], elsewhere, env).stdout
    assert "world_scoring" in listed and "ava" in listed
