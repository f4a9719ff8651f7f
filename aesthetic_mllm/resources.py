"""Where the recipes, benchmark YAMLs and DeepSpeed configs live: an installed wheel or the source checkout.

The files stay in the repository's ``recipes/``, ``eval/`` and ``deepspeed_configs/``; building a
wheel copies them into ``aesthetic_mllm/_data/`` (``setup.py``), so an installed package finds
them without a checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "_data"
CHECKOUT = Path(__file__).resolve().parent.parent
FOLDERS = ("recipes", "eval", "deepspeed_configs")


def resource_dir(name: str) -> Path:
    """The folder ``name`` (one of :data:`FOLDERS`): the wheel's copy when installed, else the checkout's."""
    if name not in FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}; one of {', '.join(FOLDERS)}")
    packaged = PACKAGED / name
    return packaged if packaged.is_dir() else CHECKOUT / name
