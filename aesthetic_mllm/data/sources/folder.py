"""A folder of unlabeled images, searched recursively (stage-1 self-supervised data).

Files are taken by extension (jpg, jpeg, png, bmp, gif, tif, tiff, webp); other files and
hidden entries are ignored. Record ids are the paths relative to the folder. No split.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Problems
from ..images import is_image_name
from ._common import Collector, paused_gc, resolve_root
from .registry import SourceResult, register_source

if TYPE_CHECKING:
    import datasets


def iter_image_paths(root: str | Path) -> Iterator[Path]:
    """Every image under ``root``, recursively, in sorted order, without building a list."""
    base = Path(root)
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(f for f in files if not f.startswith(".") and is_image_name(f)):
            yield Path(folder) / file


def stream_folder(root: str | Path) -> datasets.IterableDataset:
    """A streaming HF dataset over a folder too large to index: rows ``{"id", "image"}``, lazily listed."""
    base = resolve_root(root, "folder")
    if not base.is_dir():
        raise DataError(base, "missing file: image folder not found")

    def rows() -> Iterator[dict[str, str]]:
        for path in iter_image_paths(base):
            yield {"id": path.relative_to(base).as_posix(), "image": str(path.resolve())}

    import datasets  # imported here: the CLI's parser reads the source registry

    return datasets.IterableDataset.from_generator(rows)


@register_source("folder")
@paused_gc()
def load_folder(root: str | Path, split: str | None = None, problems: Problems | None = None,
                limit: int | None = None, **options: Any) -> SourceResult:
    """List every image under ``root`` (sorted, recursive)."""
    base = resolve_root(root, "folder")
    c = Collector("folder", problems, split, limit, **options)
    if not base.is_dir():
        c.problems.report(DataError(base, "missing file: image folder not found"))
        return c.result()
    for path in iter_image_paths(base):
        c.add(path, None, id=path.relative_to(base).as_posix(), images=[path])
        if c.done:
            return c.result()
    if not c.records and not c.problems.items:
        c.problems.report(DataError(base, "empty file: no images found"))
    return c.result()
