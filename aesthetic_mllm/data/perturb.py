"""Controlled, invertible photo edits with known descriptions, fixes and quality drops.

Each edit has severities 1..3 and, where it can go two (or more) ways, a ``direction``
(exposure ``under``/``over``, colour cast ``warm``/``cool``/``green``/``magenta`` ...). Edits are
deterministic for a seed. ``EditResult.advice`` is the inverse fix ("raise the exposure by about
one stop"), used as a known-correct suggestion; ``quality_drop`` is the known loss of quality.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from .pseudo_labels import saliency_centre, saliency_map, small_rgb, to_rgb_image

ImageLike = Image.Image | np.ndarray
Array = np.ndarray
SEVERITIES = (1, 2, 3)
SCALES: dict[str, float] = {"global": 1.0, "region": 0.5, "local": 0.25}
_GAMMA = 2.2


@dataclass(frozen=True)
class EditResult:
    """An edited image and what was done to it (``amount`` is in the edit's natural unit)."""

    image: Image.Image
    name: str
    severity: int
    description: str
    advice: str
    direction: str = ""
    amount: float = 0.0
    scale: float = 1.0
    region: tuple[int, int, int, int] | None = None  # (left, top, right, bottom) for local edits
    where: str = ""  # e.g. "top-left" for local edits
    quality_drop: float = 0.0


@dataclass(frozen=True)
class EditSpec:
    """One edit kind: how to apply it, describe it, fix it, and how much quality it costs."""

    name: str
    category: str  # "technical", "colour" or "composition"
    directions: tuple[str, ...]
    amounts: dict[str, tuple[float, float, float]]  # per direction, per severity
    apply: Callable[[Array, float, str, np.random.Generator], Array]
    describe: Callable[[float, str], str]
    advise: Callable[[float, str], str]
    drops: tuple[float, float, float]
    geometric: bool = False

    def amount(self, severity: int, direction: str) -> float:
        return self.amounts[direction if direction in self.amounts else "*"][severity - 1]

    def quality_drop(self, severity: int) -> float:
        """Known fraction of quality lost at ``severity`` (in [0, 1])."""
        _check_severity(severity)
        return self.drops[severity - 1]


def _check_severity(severity: int) -> None:
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")


def _luma(x: Array) -> Array:
    return x @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _exposure(x: Array, stops: float, direction: str, rng: np.random.Generator) -> Array:
    gain = 2.0 ** (-stops if direction == "under" else stops)
    return np.clip(x**_GAMMA * gain, 0, 1) ** (1 / _GAMMA)


def _contrast(x: Array, factor: float, direction: str, rng: np.random.Generator) -> Array:
    mean = _luma(x).mean()
    return mean + (x - mean) * factor


def _saturation(x: Array, factor: float, direction: str, rng: np.random.Generator) -> Array:
    grey = _luma(x)[..., None]
    return grey + (x - grey) * factor


_CAST_GAINS = {"warm": (1, 0, -1), "cool": (-1, 0, 1), "green": (-0.5, 1, -0.5), "magenta": (0.5, -1, 0.5)}


def _color_cast(x: Array, amount: float, direction: str, rng: np.random.Generator) -> Array:
    gains = 1.0 + amount * np.array(_CAST_GAINS[direction], dtype=np.float32)
    return x * gains


def _blur(x: Array, sigma_frac: float, direction: str, rng: np.random.Generator) -> Array:
    radius = sigma_frac * max(x.shape[:2])
    img = Image.fromarray(_to_uint8(x)).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(img, dtype=np.float32) / 255.0


def _noise(x: Array, sigma: float, direction: str, rng: np.random.Generator) -> Array:
    grain = rng.standard_normal(x.shape[:2], dtype=np.float32)[..., None] * 0.8
    chroma = rng.standard_normal(x.shape, dtype=np.float32) * 0.4
    return x + sigma * (grain + chroma)


def _jpeg(x: Array, quality: float, direction: str, rng: np.random.Generator) -> Array:
    buf = io.BytesIO()
    Image.fromarray(_to_uint8(x)).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"), dtype=np.float32) / 255.0


_EDGES = ("left", "right", "top", "bottom")


def _crop_box(img: Image.Image, keep: float, direction: str, candidates: int = 7) -> tuple[float, ...]:
    """The window of ``keep`` times the size whose own saliency centre lies nearest edge ``direction``.

    The window slides along the edge's axis (centred on the subject across it); each candidate's
    saliency is recomputed, so "the subject" is what the pseudo-labels would see in the result.
    """
    w, h = img.size
    cw, ch = w * keep, h * keep
    cx, cy = saliency_centre(saliency_map(small_rgb(img)))
    horizontal = direction in ("left", "right")
    sign = -1.0 if direction in ("left", "top") else 1.0
    best, best_score = (0.0, 0.0, cw, ch), -np.inf
    for t in np.linspace(0.0, 1.0, candidates):
        x0 = t * (w - cw) if horizontal else min(max(cx * w - cw / 2, 0.0), w - cw)
        y0 = min(max(cy * h - ch / 2, 0.0), h - ch) if horizontal else t * (h - ch)
        box = (x0, y0, x0 + cw, y0 + ch)
        sx, sy = saliency_centre(saliency_map(small_rgb(img.crop(tuple(round(v) for v in box)))))
        score = sign * (sx if horizontal else sy)
        if score > best_score:
            best, best_score = box, score
    return best


def _crop(x: Array, keep: float, direction: str, rng: np.random.Generator) -> Array:
    h, w = x.shape[:2]
    img = Image.fromarray(_to_uint8(x))
    return np.asarray(img.resize((w, h), Image.BICUBIC, box=_crop_box(img, keep, direction)),
                      dtype=np.float32) / 255.0


def _tilt(x: Array, degrees: float, direction: str, rng: np.random.Generator) -> Array:
    h, w = x.shape[:2]
    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    scale = min(w / (w * c + h * s), h / (w * s + h * c))  # largest same-aspect inscribed rectangle
    angle = -degrees if direction == "clockwise" else degrees
    rotated = Image.fromarray(_to_uint8(x)).rotate(angle, resample=Image.BICUBIC)
    cw, ch = w * scale, h * scale
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    return np.asarray(rotated.resize((w, h), Image.BICUBIC, box=box), dtype=np.float32) / 255.0


def _stops(v: float) -> str:
    return {0.5: "half a stop", 1.0: "one stop", 2.0: "two stops"}.get(v, f"{v:g} stops")


def _percent(v: float) -> str:
    return f"about {int(round(v * 100, -1))}%"


def _opposite_cast(direction: str) -> str:
    return {"warm": "blue", "cool": "amber", "green": "magenta", "magenta": "green"}[direction]


def _rotation(direction: str) -> str:
    return "counter-clockwise" if direction == "clockwise" else "clockwise"


def _contrast_text(f: float, d: str) -> str:
    return f"contrast {'reduced' if d == 'lower' else 'increased'} by {_percent(abs(1 - f))}"


def _contrast_fix(f: float, d: str) -> str:
    if d == "lower":
        return f"raise the contrast by {_percent(1 / f - 1)}"
    return f"lower the contrast by {_percent(1 - 1 / f)} and recover the clipped shadows and highlights"


def _saturation_text(f: float, d: str) -> str:
    if f == 0:
        return "colour removed entirely (black and white)"
    return f"saturation {'reduced' if d == 'lower' else 'increased'} by {_percent(abs(1 - f))}"


def _saturation_fix(f: float, d: str) -> str:
    if f == 0:
        return "restore the colour: the image was converted to black and white"
    if d == "lower":
        return f"raise the saturation by {_percent(1 / f - 1)}"
    return f"lower the saturation by {_percent(1 - 1 / f)}"


def _crop_text(k: float, d: str) -> str:
    return f"cropped to {_percent(k)} of the frame, pushing the subject against the {d} edge"


def _crop_fix(k: float, d: str) -> str:
    return f"recompose: widen the framing by {_percent(1 / k - 1)} and move the subject away from the {d} edge toward a third line"


EDITS: dict[str, EditSpec] = {
    spec.name: spec
    for spec in [
        EditSpec("exposure", "technical", ("under", "over"), {"*": (0.5, 1.0, 2.0)}, _exposure,
                 lambda v, d: f"{d}exposed by about {_stops(v)}",
                 lambda v, d: f"{'raise' if d == 'under' else 'lower'} the exposure by about {_stops(v)}",
                 (0.15, 0.3, 0.5)),
        EditSpec("contrast", "technical", ("lower", "higher"),
                 {"lower": (0.7, 0.5, 0.3), "higher": (1.4, 1.8, 2.4)}, _contrast,
                 _contrast_text, _contrast_fix, (0.1, 0.2, 0.35)),
        EditSpec("saturation", "colour", ("lower", "higher"),
                 {"lower": (0.6, 0.3, 0.0), "higher": (1.5, 2.0, 3.0)}, _saturation,
                 _saturation_text, _saturation_fix, (0.08, 0.18, 0.3)),
        EditSpec("color_cast", "colour", tuple(_CAST_GAINS), {"*": (0.06, 0.12, 0.2)}, _color_cast,
                 lambda v, d: f"a {d} colour cast (white balance off by {_percent(v)})",
                 lambda v, d: f"correct the white balance by shifting it toward {_opposite_cast(d)} by {_percent(v)}",
                 (0.1, 0.22, 0.38)),
        EditSpec("blur", "technical", ("",), {"*": (0.006, 0.012, 0.02)}, _blur,
                 lambda v, d: f"out of focus (blur radius about {v * 100:.1f}% of the frame width)",
                 lambda v, d: "sharpen the image or reshoot with accurate focus and a faster shutter",
                 (0.15, 0.32, 0.55)),
        EditSpec("noise", "technical", ("",), {"*": (0.03, 0.06, 0.12)}, _noise,
                 lambda v, d: f"noisy (grain of about {v * 100:.0f}% of full scale)",
                 lambda v, d: "apply noise reduction, or shoot at a lower ISO with more light",
                 (0.12, 0.28, 0.5)),
        EditSpec("jpeg", "technical", ("",), {"*": (30, 15, 6)}, _jpeg,
                 lambda v, d: f"blocky JPEG compression artifacts (quality {v:.0f})",
                 lambda v, d: "save with less compression (JPEG quality 90 or higher)",
                 (0.1, 0.25, 0.45)),
        EditSpec("crop", "composition", _EDGES, {"*": (0.7, 0.55, 0.45)}, _crop,
                 _crop_text, _crop_fix, (0.12, 0.25, 0.4), geometric=True),
        EditSpec("tilt", "composition", ("clockwise", "counterclockwise"), {"*": (3.0, 6.0, 10.0)}, _tilt,
                 lambda v, d: f"tilted {v:.0f} degrees {d.replace('counterclockwise', 'counter-clockwise')}",
                 lambda v, d: f"straighten the horizon by about {v:.0f} degrees (rotate {_rotation(d)})",
                 (0.1, 0.22, 0.35), geometric=True),
    ]
}


def _to_uint8(x: Array) -> Array:
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _as_float(image: ImageLike) -> Array:
    return np.asarray(to_rgb_image(image), dtype=np.float32) / 255.0


def as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """``seed`` itself when it is a Generator, else a new Generator seeded with it."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def get_edit(name: str) -> EditSpec:
    """The registered edit ``name`` (ValueError listing the known ones otherwise)."""
    if name not in EDITS:
        raise ValueError(f"unknown edit {name!r} (known: {', '.join(EDITS)})")
    return EDITS[name]


def _choose_direction(spec: EditSpec, direction: str | None, rng: np.random.Generator) -> str:
    if direction is None:
        return spec.directions[int(rng.integers(len(spec.directions)))]
    if direction not in spec.directions:
        raise ValueError(f"edit {spec.name!r} has directions {spec.directions}, got {direction!r}")
    return direction


def quality_drop(name: str, severity: int) -> float:
    """Known quality drop of edit ``name`` at ``severity``."""
    return get_edit(name).quality_drop(severity)


def combined_quality(drops: list[float]) -> float:
    """Quality left after several edits: the product of (1 - drop), i.e. 1 - combined drop."""
    return float(np.prod([1.0 - d for d in drops])) if drops else 1.0


def apply_edit(image: ImageLike, name: str, severity: int, seed: int | np.random.Generator = 0,
               direction: str | None = None) -> EditResult:
    """Apply edit ``name`` to the whole image (direction drawn from ``seed`` when not given)."""
    return apply_at_scale(image, name, severity, 1.0, seed=seed, direction=direction)


def _ramp(pos: Array, lo: float, hi: float, feather: float) -> Array:
    """1 inside [lo, hi], falling linearly to 0 over ``feather`` pixels outside."""
    return np.clip(1.0 + np.minimum(pos - lo, hi - pos) / feather, 0.0, 1.0).astype(np.float32)


def _where(cx: float, cy: float) -> str:
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "centre"
    return "centre" if (row, col) == ("middle", "centre") else f"{row}-{col}" if row != "middle" else f"{col} side"


def apply_at_scale(image: ImageLike, name: str, severity: int, scale: float | str,
                   seed: int | np.random.Generator = 0, direction: str | None = None) -> EditResult:
    """Apply edit ``name`` globally (scale 1 / "global") or to a feathered square region.

    A region's side is ``scale`` times the image's shorter side ("region" 0.5, "local" 0.25), at a
    seeded position; its quality drop is scaled by ``scale``. Geometric edits (crop, tilt) are
    global only.
    """
    spec = get_edit(name)
    _check_severity(severity)
    s = SCALES[scale] if isinstance(scale, str) else float(scale)
    if not 0 < s <= 1:
        raise ValueError(f"scale must be in (0, 1] or one of {list(SCALES)}, got {scale!r}")
    if spec.geometric and s < 1:
        raise ValueError(f"edit {name!r} is geometric and applies to the whole image only")
    rng = as_rng(seed)
    d = _choose_direction(spec, direction, rng)
    amount = spec.amount(severity, d)
    x = _as_float(image)
    edited = np.clip(spec.apply(x, amount, d, rng), 0.0, 1.0)
    desc, advice, region, where = spec.describe(amount, d), spec.advise(amount, d), None, ""
    if s < 1:
        h, w = x.shape[:2]
        side = max(2, int(round(s * min(h, w))))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        feather = max(1.0, 0.1 * side)
        my = _ramp(np.arange(h) + 0.5, top, top + side, feather)
        mx = _ramp(np.arange(w) + 0.5, left, left + side, feather)
        mask = (my[:, None] * mx[None, :])[..., None]
        edited = mask * edited + (1.0 - mask) * x
        region = (left, top, left + side, top + side)
        where = _where((left + side / 2) / w, (top + side / 2) / h)
        desc, advice = f"{desc} in the {where} of the frame", f"{advice} in the {where}"
    return EditResult(Image.fromarray(_to_uint8(edited)), name, severity, desc, advice, d, float(amount), s,
                      region, where, spec.quality_drop(severity) * s)
