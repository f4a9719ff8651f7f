"""``--help`` of the CLI and of every subcommand starts without torch, transformers or the data stack.

Each help runs in a fresh interpreter (``sys.modules`` then shows what printing the help imported).
The wall time is the benchmark's job (``benchmarks/cli_startup.py``), not a test's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aesthetic_mllm.cli import subcommands

HEAVY = ("torch", "transformers", "peft", "accelerate", "datasets")
_PROBE = """
import json, runpy, sys
heavy_names, sys.argv = sys.argv[1], ["aesthetic-mllm", *sys.argv[2:]]
try:
    runpy.run_module("aesthetic_mllm.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in heavy_names.split(",") if m in sys.modules)
sys.stderr.write("PROBE " + json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""


COMMANDS = [[], *subcommands()]


def test_every_subcommand_is_probed():
    names = {" ".join(c) for c in COMMANDS}
    assert {"score", "comment", "suggest", "eval", "train", "export", "init-model", "personalize icl",
            "personalize task-vectors", "interview", "data check", "quickstart", "env"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top-level")
def test_help_imports_no_torch(command):
    proc = subprocess.run([sys.executable, "-c", _PROBE, ",".join(HEAVY), *command, "--help"], capture_output=True, text=True,
                          timeout=120)
    probe = json.loads(proc.stderr.rsplit("PROBE ", 1)[-1])
    assert probe["code"] == 0 and "usage: aesthetic-mllm" in proc.stdout
    assert probe["heavy"] == [], f"--help of {' '.join(command) or 'the CLI'} imported {probe['heavy']}"
