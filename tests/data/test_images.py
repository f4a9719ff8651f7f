"""The one image opener on generated files as cameras and phones write them."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from PIL import Image, ImageCms

from aesthetic_mllm.data.errors import DataError
from aesthetic_mllm.data.images import TOO_LARGE, check_image, open_image
from aesthetic_mllm.data.sources import load_source

from .conftest import image, table


def swapped_profile() -> bytes:
    """An RGB ICC profile whose red and green primaries are sRGB's green and red (a very wide-gamut
    stand-in: pixels must be converted, or the colours come out wrong)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    tags = {bytes(data[132 + 12 * i:136 + 12 * i]): 132 + 12 * i
            for i in range(struct.unpack(">I", data[128:132])[0])}
    r, g = tags[b"rXYZ"], tags[b"gXYZ"]
    data[r + 4:r + 12], data[g + 4:g + 12] = data[g + 4:g + 12], data[r + 4:r + 12]
    return bytes(data)


def test_exif_orientation_is_applied(tmp_path):
    # stored 40x20 (landscape) with the top row red; orientation 6 = rotate 90 degrees clockwise to view
    pixels = Image.new("RGB", (40, 20), (0, 0, 255))
    pixels.paste((255, 0, 0), (0, 0, 40, 4))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    pixels.save(path, exif=exif, quality=95)
    upright = open_image(path)
    assert upright.size == (20, 40)
    right_column = np.asarray(upright)[:, -2]
    assert right_column[:, 0].mean() > 200 and right_column[:, 2].mean() < 60  # the red top is now on the right


def test_transparency_is_composited_on_the_background(tmp_path):
    path = tmp_path / "logo.png"
    rgba = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    rgba.paste((255, 0, 0, 255), (0, 0, 5, 10))
    rgba.save(path)
    opened = open_image(path)
    assert opened.mode == "RGB"
    assert opened.getpixel((8, 5)) == (255, 255, 255) and opened.getpixel((2, 5)) == (255, 0, 0)
    assert open_image(path, background=(0, 128, 0)).getpixel((8, 5)) == (0, 128, 0)
    palette = tmp_path / "palette.png"
    rgba.convert("P").save(palette, transparency=0)
    assert Image.open(palette).mode == "P"
    assert open_image(palette).getpixel((8, 5)) == (255, 255, 255)


def test_embedded_icc_profile_is_converted_to_srgb(tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (6, 6), (200, 30, 30)).save(path, icc_profile=swapped_profile())
    r, g, b = open_image(path).getpixel((3, 3))
    assert g > 180 and r < 50 and b < 50, (r, g, b)  # red in that profile is sRGB green
    jpeg = tmp_path / "wide.jpg"
    Image.new("RGB", (16, 16), (200, 30, 30)).save(jpeg, icc_profile=swapped_profile(), quality=95)
    r, g, b = open_image(jpeg).getpixel((8, 8))
    assert g > 170 and r < 60, (r, g, b)


def test_16_bit_greyscale_is_scaled_not_clipped(tmp_path):
    path = tmp_path / "scan16.png"
    values = np.array([[0, 16384, 32768, 65535]], dtype=np.uint16).repeat(3, axis=0)
    Image.fromarray(values).save(path)
    assert Image.open(path).mode.startswith("I")
    row = np.asarray(open_image(path))[1, :, 0]
    assert list(row) == [0, 64, 128, 255]


def test_cmyk_is_converted(tmp_path):
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(path, quality=95)  # full magenta + yellow = red
    r, g, b = open_image(path).getpixel((4, 4))
    assert r > 230 and g < 30 and b < 30, (r, g, b)
    tiff = tmp_path / "print.tif"
    Image.new("CMYK", (8, 8), (255, 0, 0, 0)).save(tiff)  # cyan
    assert open_image(tiff).getpixel((4, 4)) == (0, 255, 255)


def test_over_large_image_is_its_own_problem_with_pixel_count_and_limit(tmp_path, monkeypatch):
    path = image(tmp_path / "big.png", size=(200, 100))
    with pytest.raises(DataError) as info:
        open_image(path, max_pixels=10_000)
    assert info.value.reason.startswith(TOO_LARGE)
    assert "20000 pixels" in info.value.reason and "limit 10000 pixels" in info.value.reason
    assert open_image(path, max_pixels=20_000).size == (200, 100)
    monkeypatch.setenv("AESTHETIC_MLLM_MAX_IMAGE_PIXELS", "5000")
    assert check_image(path).reason.startswith(TOO_LARGE)
    # above Pillow's own decompression-bomb limit: our kind, never "corrupt image" nor a crash
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    monkeypatch.delenv("AESTHETIC_MLLM_MAX_IMAGE_PIXELS")
    error = check_image(path, max_pixels=5000)
    assert error is not None and error.reason.startswith(TOO_LARGE) and "20000 pixels" in error.reason
    assert open_image(path, max_pixels=50_000).size == (200, 100)  # a raised limit reads it


def test_over_large_image_in_a_source_is_counted_by_kind(tmp_path):
    image(tmp_path / "big.png", size=(200, 100))
    image(tmp_path / "ok.png")
    path = table(tmp_path / "s.csv", ["image", "score"], [["ok.png", 3], ["big.png", 4]])
    result = load_source("mos", path, score_range=(1, 5), verify_images=True, max_image_pixels=10_000)
    assert [r.id for r in result.records] == ["ok.png"]
    assert result.problems.counts() == {TOO_LARGE: 1}
    assert "20000 pixels" in str(result.problems.items[0]) and "'big.png'" in str(result.problems.items[0])


def test_each_image_is_read_and_decoded_once(tmp_path, monkeypatch):
    from PIL import Image as PILImage

    from aesthetic_mllm.data import images

    path = tmp_path / "once.png"
    PILImage.new("RGB", (20, 10), (1, 2, 3)).save(path)
    opened: list[str] = []
    real = PILImage.open
    monkeypatch.setattr(images.Image, "open", lambda fp, *a, **k: opened.append(str(fp)) or real(fp, *a, **k))
    images.open_image(path)
    assert opened == [str(path)]
