"""The aesthetic-value profile: its JSON schema, validation with clear errors (jsonschema), (de)serialisation.

A profile lists liked items (weights in (0, 1]) and disliked items (weights in [-1, 0)); an item
is an attribute pole (``{"kind": "attribute", "name": "brightness", "pole": "low"}``: likes or
dislikes dark photos) or a theme (``{"kind": "theme", "name": "animals"}``), with a short
statement in words. ``values`` holds free-text statements of what the person values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .lexicon import POLES, PROFILE_ATTRIBUTES, pole_sign

SCHEMA_VERSION = 1
MAX_ITEMS, MAX_VALUES, MAX_STATEMENT, MAX_VALUE = 24, 8, 200, 300
_THEME = {"pattern": r"^[a-z][a-z '\-]{0,39}$",
          "description": "a theme name (1-40 lower-case letters, spaces, apostrophes, hyphens)"}


def _item_schema(weight: dict[str, float]) -> dict[str, Any]:
    """An attribute pole or a theme; ``weight`` holds the bounds of the list the item is in."""
    return {
        "type": "object", "additionalProperties": False, "required": ["kind", "name", "weight", "statement"],
        "properties": {
            "kind": {"enum": ["attribute", "theme"]},
            "name": {"type": "string", "description": "an attribute name or a lower-case theme"},
            "pole": {"enum": list(POLES), "description": "attributes only: which end of the attribute"},
            "weight": {"type": "number", **weight},
            "statement": {"type": "string", "maxLength": MAX_STATEMENT},
        },
        "allOf": [
            {"if": {"properties": {"kind": {"const": "attribute"}}, "required": ["kind"]},
             "then": {"required": ["pole"], "properties": {
                 "name": {"enum": list(PROFILE_ATTRIBUTES)},
                 "pole": {"description": "an attribute needs a pole: 'high' or 'low'"}}}},
            {"if": {"properties": {"kind": {"const": "theme"}}, "required": ["kind"]},
             "then": {"properties": {"name": _THEME, "pole": {"not": {}, "description": "themes have no pole"}}}},
        ],
    }


PROFILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "aesthetic-value profile", "type": "object", "additionalProperties": False,
    "required": ["version", "user", "liked", "disliked", "values", "analyzer"],
    "properties": {
        "version": {"const": SCHEMA_VERSION},
        "user": {"type": "string"},
        "liked": {"type": "array", "maxItems": MAX_ITEMS, "items": _item_schema({"exclusiveMinimum": 0, "maximum": 1})},
        "disliked": {"type": "array", "maxItems": MAX_ITEMS,
                     "items": _item_schema({"minimum": -1, "exclusiveMaximum": 0})},
        "values": {"type": "array", "maxItems": MAX_VALUES, "items": {"type": "string", "maxLength": MAX_VALUE}},
        "analyzer": {"type": "string"},
    },
    "$comment": f"attribute names: {', '.join(PROFILE_ATTRIBUTES)}; numbers are finite (no NaN/Infinity)",
}
# an analyzer's raw output: version/user/analyzer are set by the code, never by the model
_BODY_SCHEMA: dict[str, Any] = {**PROFILE_SCHEMA, "required": [],
                                "properties": {k: PROFILE_SCHEMA["properties"][k] for k in ("liked", "disliked", "values")}}


class ProfileValidationError(ValueError):
    """A profile failed validation; ``errors`` lists every problem as ``path: message``."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("invalid profile: " + "; ".join(self.errors))


@dataclass(frozen=True)
class ProfileItem:
    """One liked (weight > 0) or disliked (weight < 0) attribute pole or theme."""

    kind: str
    name: str
    weight: float
    statement: str
    pole: str | None = None

    @property
    def signed_weight(self) -> float:
        """The liking of the attribute's high end (theme items: the weight itself)."""
        return self.weight * (pole_sign(self.pole) if self.kind == "attribute" and self.pole else 1.0)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        if self.kind == "attribute":
            out["pole"] = self.pole
        return {**out, "weight": self.weight, "statement": self.statement}


@dataclass
class Profile:
    """A user's structured aesthetic-value profile (see the module docstring)."""

    user: str
    liked: list[ProfileItem] = field(default_factory=list)
    disliked: list[ProfileItem] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    analyzer: str = "lexicon"
    version: int = SCHEMA_VERSION

    @property
    def items(self) -> list[ProfileItem]:
        return [*self.liked, *self.disliked]

    def attribute_weights(self) -> dict[str, float]:
        """Signed liking of each attribute's high end, summed over items and clipped to [-1, 1]."""
        out: dict[str, float] = {}
        for item in self.items:
            if item.kind == "attribute":
                out[item.name] = out.get(item.name, 0.0) + item.signed_weight
        return {k: max(-1.0, min(1.0, v)) for k, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "user": self.user, "liked": [i.to_dict() for i in self.liked],
                "disliked": [i.to_dict() for i in self.disliked], "values": list(self.values),
                "analyzer": self.analyzer}

    @classmethod
    def from_dict(cls, data: Any) -> Profile:
        """Validate ``data`` (a parsed profile JSON object); raises :class:`ProfileValidationError`."""
        return validate_profile(data)


_TYPE_WORDS = {"object": "an object", "array": "a list", "string": "a string", "number": "a number",
               "integer": "an integer", "boolean": "a boolean", "null": "null"}


@cache
def _validator(require_meta: bool) -> Any:
    """A Draft 2020-12 validator whose numbers are finite (Python's json accepts NaN and Infinity)."""
    try:
        from jsonschema import Draft202012Validator, validators
    except ImportError as err:
        raise ImportError("profile validation needs jsonschema: pip install 'aesthetic_mllm[interview]'") from err

    base = Draft202012Validator.TYPE_CHECKER
    checker = base.redefine("number", lambda c, x: base.is_type(x, "number") and math.isfinite(x))
    cls = validators.extend(Draft202012Validator, type_checker=checker)
    return cls(PROFILE_SCHEMA if require_meta else _BODY_SCHEMA)


def _field(path: Any, key: str | int | None = None) -> str:
    parts = [*path, *([] if key is None else [key])]
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    return text or "profile"


def _interval(schema: dict[str, Any]) -> str:
    low = f"({schema['exclusiveMinimum']}" if "exclusiveMinimum" in schema else f"[{schema.get('minimum', '-inf')}"
    high = f"{schema['exclusiveMaximum']})" if "exclusiveMaximum" in schema else f"{schema.get('maximum', 'inf')}]"
    return f"{low}, {high}"


def _messages(error: Any) -> list[str]:
    """``path: what was wrong`` for one jsonschema error (a missing or unexpected key: one line each)."""
    kind, value, schema, where = error.validator, error.instance, error.schema, error.absolute_path
    if kind == "required":
        props = schema.get("properties", {})
        return [f"{_field(where, k)}: missing" + (f" ({props[k]['description']})" if "description" in props.get(k, {})
                                                 else "") for k in error.validator_value if k not in value]
    if kind == "additionalProperties":
        return [f"{_field(where)}: unexpected key {k!r}" for k in sorted(set(value) - set(schema.get("properties", {})))]
    if kind == "type":
        wanted = "a JSON object" if not where else _TYPE_WORDS.get(error.validator_value, error.validator_value)
        if isinstance(value, float) and not math.isfinite(value):
            wanted, got = "a finite number", repr(value)
        else:
            got = type(value).__name__
        text = f"expected {wanted}, got {got}"
    elif kind == "enum":
        text = f"{value!r} is not one of {', '.join(map(repr, error.validator_value))}"
    elif kind == "const":
        text = f"{value!r} is not {error.validator_value!r}"
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        text = f"{value} is outside {_interval(schema)}"
    elif kind == "maxLength":
        text = f"expected a string of at most {error.validator_value} characters, got {len(value)}"
    elif kind == "maxItems":
        text = f"{len(value)} entries, at most {error.validator_value} allowed"
    else:  # pattern, not, ...: the schema's own description says what is expected
        text = f"{value!r} is not {schema['description']}" if kind == "pattern" else schema.get("description",
                                                                                               error.message)
    return [f"{_field(where)}: {text}"]


def _items(raw: list[dict[str, Any]]) -> list[ProfileItem]:
    return [ProfileItem(r["kind"], r["name"], float(r["weight"]), r["statement"],
                        r.get("pole") if r["kind"] == "attribute" else None) for r in raw]


def validate_profile(data: Any, require_meta: bool = True) -> Profile:
    """A :class:`Profile` from parsed JSON checked against :data:`PROFILE_SCHEMA` (jsonschema).

    Raises :class:`ProfileValidationError` listing every problem as ``path: message``. With
    ``require_meta=False`` only ``liked``/``disliked``/``values`` are allowed and checked (an
    analyzer's raw output: ``version``/``user``/``analyzer`` are set by the code, never by the model).
    """
    errors = [m for e in _validator(require_meta).iter_errors(data) for m in _messages(e)]
    if errors:
        raise ProfileValidationError(list(dict.fromkeys(errors)))
    return Profile(user=data.get("user", ""), liked=_items(data.get("liked", [])),
                   disliked=_items(data.get("disliked", [])), values=list(data.get("values", [])),
                   analyzer=data.get("analyzer", "lexicon"))
