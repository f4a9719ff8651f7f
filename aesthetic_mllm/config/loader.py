"""Strict dataclass building from YAML with ``key=value`` overrides.

Unknown keys fail with the closest valid key suggested, values are checked against the
field's type, and dotted overrides (``train.lr=1e-4``) reach nested sections.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import yaml

from ..registry import closest

T = TypeVar("T")


class ConfigError(ValueError):
    """A recipe or override that does not fit the schema; the message names the key."""


def _suggest(key: str, valid: list[str], nested: list[str] = ()) -> str:
    """'; did you mean X?' for the closest valid key, else the list of valid keys.

    ``nested`` (``section.field`` paths) catches a section's field written at the top level.
    """
    hit = closest(key, valid, cutoff=0.5)
    if hit is None and nested:
        leaves = {path.rsplit(".", 1)[-1]: path for path in nested}
        leaf = closest(key, leaves)
        hit = leaves[leaf] if leaf else None
    return f"; did you mean '{hit}'?" if hit else f"; valid keys: {', '.join(sorted(valid))}"


def _nested_names(cls: type, hints: dict[str, Any]) -> list[str]:
    """``section.field`` for every field of the dataclass-typed fields of ``cls``."""
    return [f"{f.name}.{g.name}" for f in dataclasses.fields(cls) if dataclasses.is_dataclass(hints[f.name])
            for g in dataclasses.fields(hints[f.name])]


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Check/convert ``value`` to type ``tp``; raise ConfigError naming ``where``."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{where}: got None")
    if origin is typing.Literal:
        if value not in get_args(tp):
            raise ConfigError(f"{where}: {value!r} is not one of {list(get_args(tp))}")
        return value
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
        return build(tp, value, where)
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        (item_tp, *_) = get_args(tp) or (Any,)
        return [_coerce(v, item_tp, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        key_tp, val_tp = get_args(tp) or (Any, Any)
        return {k: _coerce(v, val_tp, f"{where}.{k}") for k, v in value.items()}
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if tp is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    if tp in (int, str, bool, float) and not (isinstance(value, tp) and not (tp is int and isinstance(value, bool))):
        raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}")
    return value


def build(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass ``cls`` from ``data``; unknown keys raise with a suggestion."""
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        path = f"{where}.{key}" if where else key
        if key not in names:
            nested = _nested_names(cls, hints) if not where else []
            raise ConfigError(f"unknown config key '{path}'{_suggest(key, names, nested)}")
        kwargs[key] = _coerce(value, hints[key], path)
    try:
        obj = cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise ConfigError(f"{where or cls.__name__}: {exc}") from None
    validate = getattr(obj, "validate", None)
    if validate:
        validate()
    return obj


def parse_overrides(overrides: list[str], aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """Turn ``["a.b=1", "c=x"]`` into a nested dict; values are parsed as YAML scalars.

    ``aliases`` maps short keys to dotted paths (``max_steps`` -> ``train.max_steps``); a plain key
    within a typo of a short key (``max_stpes``) is refused with the short key suggested.
    """
    aliases = aliases or {}
    nested: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override '{item}' is not of the form key=value")
        key, raw = item.split("=", 1)
        key = key.strip()
        if key not in aliases and "." not in key:
            typo = closest(key, aliases, cutoff=0.8)
            if typo and typo != key:
                raise ConfigError(f"override '{item}': unknown key '{key}'; did you mean '{typo}' "
                                  f"(short for {aliases[typo]})?")
        key = aliases.get(key, key)
        value = yaml.safe_load(raw) if raw.strip() else ""
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override '{item}': '{part}' is not a section")
        node[parts[-1]] = value
    return nested


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Recursively merge ``update`` into a copy of ``base``."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, with the file named in any error."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such recipe file")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return data


def to_dict(obj: Any) -> Any:
    """Dataclass -> plain dict (for run.json and saving)."""
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj
