"""Build hook: copy recipes/, the benchmark YAMLs in eval/ and deepspeed_configs/ into the wheel.

They stay where they are in the repository; ``aesthetic_mllm.resources.resource_dir`` finds the
copy under ``aesthetic_mllm/_data/`` in an installed wheel and the originals in a checkout
(editable installs read the checkout). Everything else is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE_DATA = {"recipes": "**/*.yaml", "eval": "*.yaml", "deepspeed_configs": "*.json"}


class BuildPyWithData(build_py):
    """``build_py`` that also places the data folders under ``aesthetic_mllm/_data`` in the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, pattern in PACKAGE_DATA.items():
            for src in sorted((ROOT / folder).glob(pattern)):
                dest = Path(self.build_lib, "aesthetic_mllm", "_data", folder, src.relative_to(ROOT / folder))
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)


setup(cmdclass={"build_py": BuildPyWithData})
