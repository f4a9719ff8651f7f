"""The one image opener (training, scoring, eval, demo): images as cameras and phones write them.

:func:`open_image` returns an 8-bit sRGB ``RGB`` image that looks as the photo is meant to look:

* the EXIF orientation tag is applied (``PIL.ImageOps.exif_transpose``): a phone photo stored
  sideways is upright;
* an embedded ICC profile (Adobe RGB, Display P3, a CMYK press profile ...) is converted to sRGB
  with Pillow's ImageCms (LittleCMS), so saturated colours are not read as flat;
* transparency (RGBA, LA, palette transparency) is composited on ``background`` (white by
  default), never left black;
* 16-bit (``I;16``, ``I``) and float images are scaled to 8 bits, not clipped; CMYK is converted.

Errors are :class:`DataError` naming the file, with a reason starting ``missing image``,
``not an image``, ``corrupt image`` (truncated files fail: ``LOAD_TRUNCATED_IMAGES`` stays off)
or ``image too large`` (pixel count above ``max_pixels``; default :data:`DEFAULT_MAX_PIXELS`,
Pillow's decompression-bomb limit, or the ``AESTHETIC_MLLM_MAX_IMAGE_PIXELS`` environment
variable). Loaders only check that image files exist (cheap); decoding every image is what
``verify_images=True`` (and ``aesthetic-mllm data check``) adds, through :func:`check_image`.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .errors import DataError

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"})

MISSING_IMAGE = "missing image"
CORRUPT_IMAGE = "corrupt image"
NOT_AN_IMAGE = "not an image"
TOO_LARGE = "image too large"

DEFAULT_MAX_PIXELS = int(Image.MAX_IMAGE_PIXELS or 89_478_485)
BACKGROUND = (255, 255, 255)

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")
_PIL_LIMIT = threading.Lock()
_ORIENTATION = 0x0112


def is_image_name(path: str | Path) -> bool:
    """Whether the file name has a common image extension (no I/O)."""
    return os.path.splitext(str(path))[1].lower() in IMAGE_EXTENSIONS


def max_pixels_limit(max_pixels: int | None = None) -> int:
    """The pixel limit in force: ``max_pixels``, else ``$AESTHETIC_MLLM_MAX_IMAGE_PIXELS``, else the default."""
    if max_pixels is not None:
        return int(max_pixels)
    env = os.environ.get("AESTHETIC_MLLM_MAX_IMAGE_PIXELS")
    return int(env) if env else DEFAULT_MAX_PIXELS


def _too_large(path: str, pixels: int, limit: int) -> DataError:
    return DataError(path, f"{TOO_LARGE}: {pixels} pixels, limit {limit} pixels "
                           "(raise max_image_pixels or AESTHETIC_MLLM_MAX_IMAGE_PIXELS to read it)")


def _open(path: str, limit: int) -> Image.Image:
    """``Image.open`` under our pixel limit instead of Pillow's global decompression-bomb check."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        match = _BOMB_PIXELS.search(str(exc))
        pixels = int(match.group(1)) if match else -1
        if pixels < 0 or pixels > limit:
            raise _too_large(path, pixels, limit) from None
        with _PIL_LIMIT:  # the caller allows more than twice Pillow's limit: open without its check
            saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                image = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    pixels = image.size[0] * image.size[1]
    if pixels > limit:
        image.close()
        raise _too_large(path, pixels, limit)
    return image


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit / 32-bit / float greyscale scaled to 8-bit ``L`` (Pillow's ``convert`` would clip at 255)."""
    if image.mode.startswith("I;16") or image.mode == "I":
        values = np.asarray(image).astype(np.float64)
        high = 65535.0 if image.mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(np.rint(values * 255.0 / high), 0, 255).astype(np.uint8), "L")
    if image.mode == "F":
        values = np.asarray(image).astype(np.float64)
        scale = 255.0 if values.max(initial=0) <= 1.0 else 1.0
        return Image.fromarray(np.clip(np.rint(values * scale), 0, 255).astype(np.uint8), "L")
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _to_srgb(image: Image.Image, icc: bytes | None, path: str) -> Image.Image:
    """Colour-manage ``image`` (mode L/LA/RGB/RGBA/CMYK) from its ICC profile to sRGB RGB/RGBA."""
    alpha = image.mode in ("RGBA", "LA")
    if not icc:
        return image.convert("RGBA" if alpha else "RGB")
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode == "LA":  # LittleCMS has no grey+alpha transform: manage L, keep the alpha
            grey, mask = image.split()
            rgb = ImageCms.profileToProfile(grey, source, _SRGB, outputMode="RGB")
            rgb.putalpha(mask)
            return rgb
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGBA" if alpha else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        logger.warning("%s: embedded ICC profile not usable (%s); colours read as sRGB", path, exc)
        return image.convert("RGBA" if alpha else "RGB")


def to_rgb(image: Image.Image, background: tuple[int, int, int] = BACKGROUND, path: str = "<image>") -> Image.Image:
    """A decoded image as upright 8-bit sRGB RGB: orientation, bit depth, colour profile, transparency."""
    icc = image.info.get("icc_profile")
    try:
        if image.getexif().get(_ORIENTATION, 1) != 1:  # (exif_transpose copies the image even when upright)
            image = ImageOps.exif_transpose(image) or image
    except Exception as exc:  # a malformed EXIF block must not lose the photo
        logger.warning("%s: EXIF orientation not applied (%s)", path, exc)
    image = _eight_bit(image)
    if image.mode in ("P", "PA", "1", "La", "RGBa", "YCbCr", "HSV", "LAB", "RGBX") or (
            image.mode in ("L", "RGB") and "transparency" in image.info):
        image = image.convert("RGBA" if _has_alpha(image) else ("L" if image.mode == "1" else "RGB"))
    image = _to_srgb(image, icc, path)
    if image.mode == "RGBA":
        canvas = Image.new("RGBA", image.size, (*background, 255))
        image = Image.alpha_composite(canvas, image).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def open_image(path: str | Path, *, max_pixels: int | None = None,
               background: tuple[int, int, int] = BACKGROUND) -> Image.Image:
    """Open and fully decode ``path`` once; return it upright, in sRGB, as 8-bit RGB (see the module doc).

    Raises :class:`DataError` naming the file, with a reason starting ``missing image``,
    ``not an image``, ``corrupt image`` or ``image too large`` (with its pixel count and the limit).
    """
    path = str(path)
    limit = max_pixels_limit(max_pixels)
    if not os.path.exists(path):
        raise DataError(path, f"{MISSING_IMAGE}: no such file")
    if not os.path.isfile(path):
        raise DataError(path, f"{NOT_AN_IMAGE}: not a regular file")
    try:
        image = _open(path, limit)
    except DataError:
        raise
    except UnidentifiedImageError:
        raise DataError(path, f"{NOT_AN_IMAGE}: PIL cannot identify the file format") from None
    except Exception as exc:  # PIL raises many types (SyntaxError, OSError, struct.error) on bad data
        raise DataError(path, f"{CORRUPT_IMAGE}: {exc}") from exc
    try:  # one read, one decode: a truncated or damaged file fails in load() (LOAD_TRUNCATED_IMAGES is off)
        with image:
            image.load()
            return to_rgb(image, background, path)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(path, f"{CORRUPT_IMAGE}: {exc}") from exc


def as_image(item: str | Path | Image.Image, **options) -> Image.Image:
    """A PIL image as it is, or the file at a path opened with :func:`open_image` (``options`` passed on)."""
    return item if isinstance(item, Image.Image) else open_image(item, **options)


def check_image(path: str | Path, *, max_pixels: int | None = None) -> DataError | None:
    """The problem with ``path`` as an image, or None when it decodes fully."""
    try:
        open_image(path, max_pixels=max_pixels).close()
    except DataError as error:
        return error
    return None
