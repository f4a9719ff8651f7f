"""LLaVA-style JSON (generic image-text pairs): ``[{"id", "image", "conversations": [...]}]``.

``conversations`` turns ``{"from": "human"|"gpt"|"system", "value"}`` become ``Record.messages``
as ``{"role": "user"|"assistant"|"system", "content"}`` with ``<image>`` kept in place.
``image`` is one path or a list, relative to ``image_folder`` (default: the JSON's folder);
entries without ``image`` are text-only (``images == []``). The number of ``<image>``
placeholders must equal the number of images. ``root`` is the JSON file, or a folder holding
it (``file`` option, else the folder's only ``.json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ._common import Collector, paused_gc, resolve_root
from ._tables import read_json
from .registry import SourceResult, register_source

ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}
IMAGE_TOKEN = "<image>"


def _json_file(base: Path, file: str | None) -> Path:
    if base.is_file():
        return base
    if file is not None:
        return base / file
    found = sorted(base.glob("*.json")) if base.is_dir() else []
    if len(found) != 1:
        raise ValueError(f"llava_json: pass file=<name>; {base} holds {len(found)} .json files")
    return found[0]


def _messages(turns: Any) -> list[dict[str, str]] | str:
    """The turns as messages, or the reason they are bad."""
    if not isinstance(turns, list) or not turns:
        return "no conversations"
    messages = []
    for turn in turns:
        role = ROLES.get(str(turn.get("from", "")).lower()) if isinstance(turn, dict) else None
        if role is None:
            return f"unknown speaker {turn.get('from') if isinstance(turn, dict) else turn!r}"
        messages.append({"role": role, "content": str(turn.get("value", ""))})
    return messages


@register_source("llava_json")
@paused_gc()
def load_llava_json(root: str | Path, split: str | None = None, problems: Problems | None = None,
                    limit: int | None = None, *, file: str | None = None, image_folder: str | None = None,
                    **options: Any) -> SourceResult:
    """Read LLaVA-style conversations (options: ``file``, ``image_folder``)."""
    base = resolve_root(root, "llava_json")
    c = Collector("llava_json", problems, split, limit, **options)
    path = _json_file(base, file)
    images = Path(image_folder).expanduser().resolve() if image_folder else path.parent
    name = str(path)
    data = read_json(path, c.problems)
    if data is not None and not isinstance(data, list):
        c.problems.report(DataError(name, "unreadable file: expected a JSON list of conversations"))
        data = None
    for row, item in enumerate(data or [], start=1):
        item = item if isinstance(item, dict) else {}
        messages = _messages(item.get("conversations"))
        paths = item.get("image") or []
        paths = [paths] if isinstance(paths, str) else list(paths)
        shown = ", ".join(str(p) for p in paths) or None
        if isinstance(messages, str):
            c.report(name, f"bad value: {messages}", row, "conversations", shown)
            continue
        placeholders = sum(m["content"].count(IMAGE_TOKEN) for m in messages)
        if placeholders != len(paths):
            c.report(name, f"bad value: {placeholders} {IMAGE_TOKEN} placeholder(s) for {len(paths)} image(s)", row,
                     "conversations", shown)
            continue
        c.add(name, row, id=str(item.get("id", row)), images=[images / p for p in paths], image_field="image",
              messages=messages)
        if c.done:
            break
    return c.result()
