"""No recipe key is accepted and then ignored: every schema field is read by the code it configures."""

from __future__ import annotations

import ast
import dataclasses
import typing
from pathlib import Path

from aesthetic_mllm.config import schema

PACKAGE = Path(schema.__file__).resolve().parent.parent


def _fields(cls, prefix=""):
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        yield f"{prefix}{f.name}", f.name
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _fields(hints[f.name], f"{prefix}{f.name}.")
        for arg in typing.get_args(hints[f.name]):  # list[SourceConfig]
            if dataclasses.is_dataclass(arg):
                yield from _fields(arg, f"{prefix}{f.name}[].")


def _reads() -> set[str]:
    """Attribute names read anywhere in the package (``x.name``) and exact-name strings (``getattr(x, "name")``)."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "schema.py" and path.parent.name == "config":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                names.add(node.value)
    return names


def test_every_recipe_key_is_read_outside_the_schema():
    reads = _reads()
    unread = [path for path, name in _fields(schema.Recipe) if name not in reads]
    assert not unread, f"recipe keys that pass validation but no code reads: {unread}"


def test_stage1_mixes_llava_style_pairs_when_asked(tmp_path):
    from aesthetic_mllm.config import load_recipe
    from aesthetic_mllm.train.workflows import stage_mixture

    root = Path(__file__).resolve().parents[2] / "recipes"
    real = load_recipe(root / "stage1" / "clip_l336_llama7b.yaml")
    assert stage_mixture(real) == {"ssl": 1.0, "chat": 0.5}
    assert stage_mixture(load_recipe(root / "quickstart" / "stage1.yaml", ["tasks.chat=0"])) == {"ssl": 1.0}
    stage2 = stage_mixture(load_recipe(root / "quickstart" / "stage2.yaml", ["tasks.chat=0.1"]))
    assert stage2["chat"] == 0.1 and stage2["scoring"] > 0


def test_ssl_kinds_reach_the_stage1_task():
    from aesthetic_mllm.config import load_recipe
    from aesthetic_mllm.data.schema import Record
    from aesthetic_mllm.data.tasks.ssl import KINDS
    from aesthetic_mllm.model.loading import from_preset
    from aesthetic_mllm.train.workflows import _dataset

    _, processor = from_preset("tiny")
    root = Path(__file__).resolve().parents[2] / "recipes" / "stage1" / "clip_l336_llama7b.yaml"
    records = [Record(id="u0", source="t", images=["u0.jpg"])]
    mixed = load_recipe(root, ["ssl.kinds={how_to_fix: 3, compare: 1}"])
    assert mixed.ssl.kinds == {"how_to_fix": 3.0, "compare": 1.0}
    assert _dataset(mixed, records, processor, {"ssl": 1.0}).tasks["ssl"].kinds == mixed.ssl.kinds
    assert _dataset(load_recipe(root), records, processor, {"ssl": 1.0}).tasks["ssl"].kinds == KINDS
