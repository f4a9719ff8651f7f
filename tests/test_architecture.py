"""The house's layers (docs/architecture.md): imports point one way, no circle between subpackages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint(root: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_import_layers_hold():
    """import-linter checks the contracts in pyproject.toml ([tool.importlinter]) on the whole package:
    the layers, and that no core module imports the demo world or the interview."""
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "2 kept, 0 broken" in out.stdout


def test_a_core_module_importing_the_demo_world_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "aesthetic_mllm", tmp_path / "aesthetic_mllm",
                    ignore=shutil.ignore_patterns("__pycache__", "*.md", "*.json", "*.jinja"))
    planted = tmp_path / "aesthetic_mllm" / "scoring" / "output.py"
    planted.write_text(planted.read_text() + "\nfrom ..data.world import build_world  # noqa: E402,F401\n")
    out = _lint(tmp_path)
    assert out.returncode != 0 and "aesthetic_mllm.scoring is not allowed to import aesthetic_mllm.data.world" in out.stdout
