"""The demo world's source photos: real images shipped inside PyPI packages (no download).

Each photo has a content ``kind`` (``photo``, ``texture``, ``science`` or ``document``); the world's
split is stratified by kind, so train and test both hold every kind.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..pseudo_labels import resize_longest, to_rgb_image


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        image = getattr(skimage.data, name)()
        return image[0] if isinstance(image, tuple) else image  # stereo pairs: the left view

    return load


def _package_file(package: str, relative: str) -> Callable[[], Image.Image]:
    """A data file shipped inside ``package``, read without importing the package (sklearn is slow)."""

    def load() -> Image.Image:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError(f"the demo world needs the {package!r} package for {relative}")
        with Image.open(Path(list(spec.submodule_search_locations)[0]) / relative) as img:
            return img.convert("RGB")

    return load


@dataclass(frozen=True)
class PhotoSpec:
    """A named source photo: where it comes from, how to load it, its content tags."""

    name: str
    origin: str
    load: Callable[[], Image.Image | np.ndarray] = field(compare=False, repr=False)
    tags: tuple[str, ...] = ()
    kind: str = "photo"


KINDS = ("photo", "texture", "science", "document")


def _sk(name: str, *tags: str, attr: str | None = None, kind: str = "photo") -> PhotoSpec:
    return PhotoSpec(name, f"skimage.data.{attr or name}", _skimage(attr or name), tags, kind)


PHOTOS: list[PhotoSpec] = [
    _sk("astronaut", "portrait", "people", "space"),
    _sk("camera", "portrait", "people", "black and white"),
    _sk("coffee", "food", "still life"),
    _sk("chelsea", "animal", "cat"),
    _sk("rocket", "vehicle", "landscape"),
    _sk("coins", "object", "still life", "black and white"),
    _sk("horse", "animal", "silhouette", "graphic", kind="document"),
    _sk("hubble_deep_field", "space", "astronomy", kind="science"),
    _sk("immunohistochemistry", "science", "microscopy", kind="science"),
    _sk("moon", "space", "astronomy", "black and white", kind="science"),
    _sk("page", "document", "text", kind="document"),
    _sk("text", "text", "graphic", kind="document"),
    _sk("clock", "object", "still life", "black and white"),
    _sk("grass", "nature", "texture", kind="texture"),
    _sk("gravel", "texture", kind="texture"),
    _sk("brick", "texture", "architecture", kind="texture"),
    _sk("retina", "science", "medical", kind="science"),
    _sk("colorwheel", "graphic", "colour", kind="document"),
    _sk("logo", "graphic", kind="document"),
    _sk("cell", "science", "microscopy", kind="science"),
    _sk("motorcycle", "vehicle", "object", attr="stereo_motorcycle"),
    PhotoSpec("china", "scikit-learn sklearn/datasets/images/china.jpg",
              _package_file("sklearn", "datasets/images/china.jpg"), ("architecture", "landscape")),
    PhotoSpec("flower", "scikit-learn sklearn/datasets/images/flower.jpg",
              _package_file("sklearn", "datasets/images/flower.jpg"), ("nature", "flower", "macro")),
    PhotoSpec("grace_hopper", "matplotlib mpl-data/sample_data/grace_hopper.jpg",
              _package_file("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"), ("portrait", "people")),
]


def load_photo(spec: PhotoSpec, size: int, square: bool = False) -> Image.Image:
    """The photo as RGB with its longest side resized to ``size`` (``square``: its centred square, size x size)."""
    image = to_rgb_image(spec.load())
    if square:
        w, h = image.size
        side = min(w, h)
        box = ((w - side) / 2, (h - side) / 2, (w + side) / 2, (h + side) / 2)
        return image.resize((size, size), Image.LANCZOS, box=box)
    return resize_longest(image, size, upscale=True)


def is_grayscale(image: Image.Image) -> bool:
    """True when all three channels are (nearly) equal: colour edits like saturation do nothing."""
    arr = np.asarray(image, dtype=np.int16)
    return int(np.abs(arr[..., 0] - arr[..., 1]).max()) <= 2 and int(np.abs(arr[..., 1] - arr[..., 2]).max()) <= 2
