"""Checkpoints that are safe to resume from, decided once for every rank.

The Trainer writes ``checkpoint-N/`` in place (every rank writes its own RNG state, DeepSpeed
every rank its shards). After the save, every rank meets at a barrier and only then rank 0
writes ``recipe.json`` and the ``CHECKPOINT_COMPLETE`` marker; a run killed mid-save leaves a
directory without the marker.

Resuming is decided by rank 0 alone, behind a collective: it picks the newest *complete*
checkpoint and moves incomplete ones to ``output_dir/incomplete/`` (kept for inspection,
outside the Trainer's ``checkpoint-*`` rotation, so they never take a ``save_total_limit``
slot); the other ranks wait and use its answer (or raise its error).

``auto`` resumes only the recipe the checkpoint was saved with. Keys in ``RESUMABLE_KEYS``
may change on resume: the run's length (``train.max_steps``; a decaying schedule is then
recomputed for the new length), logging/saving cadence, progress bars, trackers, where the
run lives and cache locations. Any other difference refuses with the differing keys named;
``force`` resumes anyway (logged), ``none`` starts over. An explicit checkpoint path resumes
with a warning naming the differences.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from ..files import atomic_write_text
from .ranks import barrier, decided_on_main, is_main_process

logger = logging.getLogger(__name__)

COMPLETE_MARKER = "CHECKPOINT_COMPLETE"
RECIPE_FILE = "recipe.json"
INCOMPLETE_DIR = "incomplete"
RESUMABLE_KEYS = frozenset({
    "description", "train.max_steps", "train.logging_steps", "train.save_steps",
    "train.save_total_limit", "train.progress", "train.report_to", "train.output_dir",
    "train.resume_from_checkpoint", "train.dataloader_num_workers",
})
_STEP = re.compile(r"^checkpoint-(\d+)$")
_LEGACY_INCOMPLETE = re.compile(r"^(checkpoint-\d+)\.incomplete$")


class ResumeError(ValueError):
    """Resuming was refused (changed recipe, missing or interrupted checkpoint)."""


# -- markers and recipes ------------------------------------------------------------------------
def mark_complete(checkpoint_dir: str | Path) -> None:
    """Write the marker atomically."""
    atomic_write_text(Path(checkpoint_dir) / COMPLETE_MARKER, "ok\n")


def is_complete(checkpoint_dir: str | Path) -> bool:
    return (Path(checkpoint_dir) / COMPLETE_MARKER).is_file()


def finish_checkpoint(checkpoint_dir: str | Path, recipe: dict[str, Any] | None = None) -> None:
    """On every rank after its part of the save: wait for all ranks, then rank 0 saves the recipe and marks it."""
    barrier()
    ckpt = Path(checkpoint_dir)
    if is_main_process() and ckpt.is_dir():
        if recipe is not None:
            atomic_write_text(ckpt / RECIPE_FILE, json.dumps(recipe, indent=2, default=str))
        mark_complete(ckpt)


def saved_recipe(checkpoint_dir: str | Path) -> dict[str, Any] | None:
    path = Path(checkpoint_dir) / RECIPE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


_MISSING = "<absent>"


def recipe_changes(saved: dict[str, Any], current: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{dotted key: (saved, current)}`` for every difference outside ``RESUMABLE_KEYS``."""
    old = _flatten(json.loads(json.dumps(saved, default=str)))
    new = _flatten(json.loads(json.dumps(current, default=str)))
    return {k: (old.get(k, _MISSING), new.get(k, _MISSING)) for k in sorted(old.keys() | new.keys())
            if k not in RESUMABLE_KEYS and old.get(k, _MISSING) != new.get(k, _MISSING)}


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def describe_changes(changes: dict[str, tuple[Any, Any]]) -> str:
    return ", ".join(f"{k} ({_short(a)} -> {_short(b)})" for k, (a, b) in changes.items())


# -- finding and setting aside ------------------------------------------------------------------
def checkpoints(output_dir: str | Path) -> list[Path]:
    """``checkpoint-N`` dirs of a run, oldest first."""
    root = Path(output_dir)
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if p.is_dir() and (m := _STEP.match(p.name))]
    return [p for _, p in sorted(found)]


def set_aside(checkpoint_dir: Path, name: str | None = None) -> Path:
    """Move an incomplete checkpoint under ``output_dir/incomplete/`` (replacing an older one there)."""
    target = checkpoint_dir.parent / INCOMPLETE_DIR / (name or checkpoint_dir.name)
    target.parent.mkdir(exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    os.replace(checkpoint_dir, target)
    logger.warning("checkpoint %s was not completely written; moved to %s", checkpoint_dir, target)
    return target


def latest_complete_checkpoint(output_dir: str | Path, set_aside_incomplete: bool = True) -> Path | None:
    """Newest complete checkpoint; incomplete ones are set aside (call on one rank only, see ``resolve_resume``)."""
    root = Path(output_dir)
    if set_aside_incomplete and root.is_dir():
        for legacy in [p for p in root.iterdir() if p.is_dir() and _LEGACY_INCOMPLETE.match(p.name)]:
            set_aside(legacy, _LEGACY_INCOMPLETE.match(legacy.name).group(1))
    latest = None
    for ckpt in checkpoints(root):
        if is_complete(ckpt):
            latest = ckpt
        elif set_aside_incomplete:
            set_aside(ckpt)
    return latest


def _check_recipe(ckpt: Path, recipe: dict[str, Any] | None, setting: str) -> None:
    if recipe is None:
        return
    saved = saved_recipe(ckpt)
    if saved is None:
        message = f"{ckpt} has no {RECIPE_FILE}, so its recipe cannot be compared"
        changes = ""
    else:
        diff = recipe_changes(saved, recipe)
        if not diff:
            return
        changes = describe_changes(diff)
        message = f"the recipe changed since {ckpt} was saved: {changes}"
    if setting == "auto":
        raise ResumeError(f"resume_from_checkpoint=auto: {message}. Set train.resume_from_checkpoint=force to "
                          "resume anyway, =none to start over (or choose a new output_dir)")
    logger.warning("resuming although %s", message)


def _decide(setting: str, output_dir: str | Path, recipe: dict[str, Any] | None) -> str | None:
    if setting in ("auto", "force"):
        latest = latest_complete_checkpoint(output_dir)
        if latest is None:
            return None
        _check_recipe(latest, recipe, setting)
        return str(latest)
    path = Path(setting)
    if not path.is_dir():
        raise FileNotFoundError(f"resume_from_checkpoint: {path} is not a directory")
    if not is_complete(path):
        raise ResumeError(f"resume_from_checkpoint: {path} has no {COMPLETE_MARKER}; the save was interrupted")
    _check_recipe(path, recipe, setting)
    return str(path)


def resolve_resume(setting: str | None, output_dir: str | Path, recipe: dict[str, Any] | None = None) -> str | None:
    """The checkpoint to resume from, decided on rank 0 and shared with every rank.

    ``None``/``"none"`` -> fresh run; ``"auto"`` -> newest complete checkpoint of the same
    ``recipe`` (if given), if any; ``"force"`` -> newest complete checkpoint whatever the recipe;
    else a checkpoint path.
    """
    if setting in (None, "", "none"):
        return None
    return decided_on_main(lambda: _decide(setting, output_dir, recipe), ResumeError)
