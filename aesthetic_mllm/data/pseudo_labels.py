"""Attribute pseudo-labels computed from pixels (stage-1 targets), each normalised to [0, 1].

Deterministic, vectorised numpy; no learned model. Low-level attributes describe exposure,
colour and technical quality; middle-level attributes describe composition from a saliency
map (spectral residual x colour distinctness) and the image's edge structure. Images are first resized so
their longest side is at most ``size`` (smaller images are kept at their native size).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from ..files import atomic_write_text

LEVEL_ATTRIBUTES: dict[str, list[str]] = {
    "low": ["brightness", "contrast", "saturation", "colorfulness", "sharpness", "noise", "clipping",
            "color_cast"],
    "middle": ["thirds", "balance", "symmetry", "depth_of_field", "simplicity", "horizon_tilt"],
}
ATTRIBUTES: list[str] = LEVEL_ATTRIBUTES["low"] + LEVEL_ATTRIBUTES["middle"]
VERSION = 1  # bump when a formula changes: cached values keyed by it become stale

_SALIENCY_SIDE = 64
_MIN_SIDE = 16
_EPS = 1e-6


def to_rgb_image(image: Image.Image | np.ndarray) -> Image.Image:
    """Any PIL image or array (gray, bool, integer, float in [0, 1], RGBA) as an 8-bit RGB PIL image."""
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            canvas = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(canvas, image)
        return image.convert("RGB")
    arr = np.asarray(image)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    elif np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.uint8:
        arr = (arr.astype(np.float64) * (255.0 / np.iinfo(arr.dtype).max) + 0.5).clip(0, 255).astype(np.uint8)
    elif arr.dtype != np.uint8:
        arr = np.clip(np.asarray(arr, dtype=np.float64) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        return Image.fromarray(arr, "L").convert("RGB")
    if arr.shape[2] == 4:
        return to_rgb_image(Image.fromarray(arr, "RGBA"))
    return Image.fromarray(arr[..., :3], "RGB")


def resize_longest(image: Image.Image, size: int, upscale: bool = False) -> Image.Image:
    """Resize so the longest side is ``size`` (only downwards unless ``upscale``)."""
    w, h = image.size
    scale = size / max(w, h)
    if scale >= 1 and not upscale:
        return image
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    return image.resize(new, Image.BILINEAR if scale > 1 else Image.BOX)


def _box_half(x: np.ndarray) -> np.ndarray:
    """2x box downsampling (trailing odd row/column dropped)."""
    h, w = (x.shape[0] // 2) * 2, (x.shape[1] // 2) * 2
    x = x[:h, :w]
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def _gradients(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scharr derivatives (nearly isotropic) on the interior; the shape shrinks by 2 per axis."""
    dx = x[:, 2:] - x[:, :-2]
    dy = x[2:, :] - x[:-2, :]
    gx = (3.0 * (dx[:-2] + dx[2:]) + 10.0 * dx[1:-1]) * (1 / 32)
    gy = (3.0 * (dy[:, :-2] + dy[:, 2:]) + 10.0 * dy[:, 1:-1]) * (1 / 32)
    return gx, gy


def _laplacian(x: np.ndarray) -> np.ndarray:
    return x[1:-1, 2:] + x[1:-1, :-2] + x[2:, 1:-1] + x[:-2, 1:-1] - 4.0 * x[1:-1, 1:-1]


def _noise_sigma(lum: np.ndarray, block: int = 8) -> float:
    """Immerkaer's noise estimate averaged over the flattest 10% of 8x8 blocks."""
    ddx = lum[:, 2:] + lum[:, :-2] - 2.0 * lum[:, 1:-1]  # the 3x3 kernel is separable: [1,-2,1]^T [1,-2,1]
    resp = np.abs(ddx[2:] + ddx[:-2] - 2.0 * ddx[1:-1])
    by, bx = resp.shape[0] // block, resp.shape[1] // block
    if by == 0 or bx == 0:
        return float(np.sqrt(np.pi / 2) / 6 * resp.mean())
    blocks = resp[:by * block, :bx * block].reshape(by, block, bx, block).mean(axis=(1, 3)).ravel()
    k = max(1, blocks.size // 10)
    return float(np.sqrt(np.pi / 2) / 6 * np.partition(blocks, k - 1)[:k].mean())


def _low_level(rgb: np.ndarray, lum: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> dict[str, float]:
    r, g, b = (rgb[::2, ::2, c].astype(np.float32) * np.float32(1 / 255) for c in range(3))  # every other pixel
    mx, mn = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    sat = np.where(mx > 0.05, (mx - mn) / (mx + _EPS), 0.0)
    rg, yb = r - g, 0.5 * (r + g) - b
    mu = float(np.hypot(rg.mean(), yb.mean()))
    sigma = float(np.hypot(rg.std(), yb.std()))
    colorfulness = (sigma + 0.3 * mu) / 0.45
    # Colour cast: mean chroma (relative to luminance) of the most neutral 30% of pixels.
    lum_c = 0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05
    rel_rg, rel_yb = (rg / lum_c).ravel(), (yb / lum_c).ravel()
    k = max(1, rel_rg.size * 3 // 10)
    neutral = np.argpartition(np.hypot(rel_rg, rel_yb), k - 1)[:k]
    cast = float(np.hypot(rel_rg[neutral].mean(), rel_yb[neutral].mean()))
    lum_sub = lum[::2, ::2]
    clipped = float(np.mean((lum_sub >= 0.98) | (lum_sub <= 0.02)))

    mag = np.hypot(gx, gy).ravel()
    k = max(1, mag.size // 100)
    top = float(np.partition(mag, mag.size - k)[-k:].mean())  # mean of the strongest 1% of edges
    sharpness = 1.0 - float(np.exp(-top / 0.2))

    sigma_n = _noise_sigma(lum)
    return {
        "brightness": float(lum_sub.mean()),
        "contrast": 2.0 * float(lum_sub.std()),
        "saturation": float(sat.mean()),
        "colorfulness": colorfulness,
        "sharpness": sharpness,
        "noise": 1.0 - float(np.exp(-sigma_n / 0.03)),
        "clipping": 1.0 - float(np.exp(-clipped / 0.1)),
        "color_cast": 1.0 - float(np.exp(-cast / 0.2)),
    }


def saliency_map(rgb: np.ndarray) -> np.ndarray:
    """Saliency of a small RGB array in [0, 1], summing to 1.

    The product of spectral-residual saliency (Hou & Zhang, 2007) on luminance and
    frequency-tuned colour distinctness (Achanta et al., 2009) in an opponent colour space.
    """
    lum = rgb @ np.array([0.2126, 0.7152, 0.0722])
    spectrum = np.fft.fft2(lum - lum.mean())
    log_amp = np.log(np.abs(spectrum) + 1e-8)
    residual = log_amp - ndimage.uniform_filter(log_amp, size=3, mode="wrap")
    spectral = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    spectral = ndimage.gaussian_filter(spectral, sigma=0.04 * max(lum.shape), mode="nearest")
    opponent = np.stack([lum, rgb[..., 0] - rgb[..., 1], 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]], -1)
    smooth = ndimage.gaussian_filter(opponent, sigma=(1.5, 1.5, 0), mode="nearest")
    distinct = ((smooth - opponent.reshape(-1, 3).mean(axis=0)) ** 2).sum(axis=-1)
    sal = spectral / (spectral.sum() + _EPS) * distinct / (distinct.sum() + _EPS)
    total = sal.sum()
    return sal / total if total > 0 else np.full_like(sal, 1.0 / sal.size)


def small_rgb(image: Image.Image, side: int = _SALIENCY_SIDE) -> np.ndarray:
    """``image`` box-resized so its longest side is ``side``, as a float64 array in [0, 1]."""
    scale = side / max(image.size)
    size = (max(4, round(image.size[0] * scale)), max(4, round(image.size[1] * scale)))
    return np.asarray(image.resize(size, Image.BOX), dtype=np.float64) / 255.0


def saliency_centre(sal: np.ndarray) -> tuple[float, float]:
    """Centre of mass ``(x, y)`` of a saliency map, in [0, 1] image coordinates."""
    h, w = sal.shape
    cy = float((sal.sum(axis=1) * (np.arange(h) + 0.5) / h).sum())
    cx = float((sal.sum(axis=0) * (np.arange(w) + 0.5) / w).sum())
    return cx, cy


def _thirds_weights(h: int, w: int, sigma: float = 0.08) -> np.ndarray:
    """Closeness to the rule-of-thirds points (1.0) and lines (0.5), in normalised coordinates."""
    y = (np.arange(h) + 0.5) / h
    x = (np.arange(w) + 0.5) / w
    dy = np.minimum(np.abs(y - 1 / 3), np.abs(y - 2 / 3))[:, None]
    dx = np.minimum(np.abs(x - 1 / 3), np.abs(x - 2 / 3))[None, :]
    gy, gx = np.exp(-(dy**2) / (2 * sigma**2)), np.exp(-(dx**2) / (2 * sigma**2))
    return np.maximum(gy * gx, 0.5 * np.maximum(gy, gx))


def _middle_level(small: np.ndarray, half: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> dict[str, float]:
    sal = saliency_map(small)
    weights = _thirds_weights(*sal.shape)
    thirds = float((sal * weights).sum()) / (2.0 * float(weights.mean()))
    cx, cy = saliency_centre(sal)
    balance = 1.0 - 2.0 * (abs(cx - 0.5) + abs(cy - 0.5))
    small = small @ np.array([0.2126, 0.7152, 0.0722])

    spread = float(np.abs(small - small.mean()).mean())
    mirror = float(np.abs(small - small[:, ::-1]).mean())
    symmetry = 1.0 - mirror / (1.5 * spread + _EPS)

    energy = np.abs(_laplacian(half))
    eh, ew = energy.shape
    inner = energy[eh // 4: eh - eh // 4, ew // 4: ew - ew // 4]
    centre = float(inner.mean())
    border = (float(energy.sum()) - float(inner.sum())) / max(1, energy.size - inner.size)
    dof = 0.5 + 0.5 * (centre - border) / (centre + border + _EPS)

    mag2 = gx * gx + gy * gy
    simplicity = 1.0 - float(np.mean(mag2 > 0.03**2)) / 0.5

    # Dominant line orientation modulo 90 degrees: z = sum(|g|^2 e^{4i theta}) = sum((gx + i gy)^4 / |g|^2).
    a, b = gx * gx - gy * gy, 2.0 * gx * gy
    inv = 1.0 / (mag2 + 1e-12)
    z = complex(float(((a * a - b * b) * inv).sum()), float((2.0 * a * b * inv).sum()))
    total = float(mag2.sum())
    coherence = abs(z) / total if total > _EPS else 0.0
    deviation = abs(float(np.degrees(np.angle(z))) / 4.0) if coherence > 0 else 0.0
    return {
        "thirds": thirds,
        "balance": balance,
        "symmetry": symmetry,
        "depth_of_field": dof,
        "simplicity": simplicity,
        "horizon_tilt": min(1.0, deviation / 15.0) * min(1.0, coherence / 0.2),
    }


def compute_attributes(image: Image.Image | np.ndarray, size: int = 512) -> dict[str, float]:
    """All low- and middle-level attributes of ``image`` (longest side first capped at ``size``)."""
    pil = resize_longest(to_rgb_image(image), size)
    if min(pil.size) < _MIN_SIDE:  # tiny images: enlarge (nearest) so every filter has an interior
        factor = -(-_MIN_SIDE // min(pil.size))
        pil = pil.resize((pil.size[0] * factor, pil.size[1] * factor), Image.NEAREST)
    rgb = np.asarray(pil)
    lum = np.asarray(pil.convert("L"), dtype=np.float32) * np.float32(1 / 255)
    half = _box_half(lum)
    gx, gy = _gradients(half)
    attrs = {**_low_level(rgb, lum, gx, gy), **_middle_level(small_rgb(pil), half, gx, gy)}
    return {name: float(min(1.0, max(0.0, attrs[name]))) for name in ATTRIBUTES}


def attribute_vector(attrs: dict[str, float], names: list[str] | None = None) -> np.ndarray:
    """The attributes as a float32 vector in a fixed order (``ATTRIBUTES`` by default)."""
    return np.array([attrs[n] for n in (names or ATTRIBUTES)], dtype=np.float32)


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (the key of every on-disk cache in ``data``)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class AttributeCache:
    """Attributes of image files cached as JSON, keyed by the sha256 of the file's bytes."""

    def __init__(self, directory: str | Path, size: int = 512):
        self.directory = Path(directory)
        self.size = size
        self.hits = 0
        self.misses = 0

    def path_for(self, digest: str) -> Path:
        return self.directory / digest[:2] / f"{digest}.s{self.size}.v{VERSION}.json"

    def get_or_compute(self, path: str | Path) -> dict[str, float]:
        """Cached attributes of the image file at ``path`` (computed and stored on a miss)."""
        target = self.path_for(file_sha256(path))
        if target.is_file():
            try:
                attrs = json.loads(target.read_text(encoding="utf-8"))
                if set(attrs) == set(ATTRIBUTES):
                    self.hits += 1
                    return attrs
            except (OSError, ValueError):
                pass  # a damaged entry is recomputed and overwritten
        self.misses += 1
        with Image.open(path) as img:
            attrs = compute_attributes(img, size=self.size)
        atomic_write_text(target, json.dumps(attrs, sort_keys=True))
        return attrs
