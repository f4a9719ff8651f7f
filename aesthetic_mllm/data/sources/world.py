"""Source ``world``: the offline demo world (synthetic; see ``aesthetic_mllm.data.world``).

``root`` is a world directory (built there when missing) or None for the default cache
directory. Options: ``subset`` (scoring, pairs, unlabeled, users, databases), ``database``
(world_technical, world_colour, world_composition; databases subset), ``user`` (users subset),
``seed`` and ``image_size`` (build parameters; with a built ``root`` and no seed, that build is read).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError, Problems
from ..images import check_image
from ..world import World, build_world, default_world_dir
from ..world.build import IMAGE_SIZE, MANIFEST
from .registry import SourceResult, register_source


@register_source("world")
def load_world(root: str | Path | None, split: str | None = None, problems: Problems | None = None,
               limit: int | None = None, subset: str = "scoring", database: str | None = None,
               user: str | None = None, seed: int | None = None, image_size: int = IMAGE_SIZE,
               check_images: bool = True, verify_images: bool = False) -> SourceResult:
    """Records of one subset of the demo world (built on first use, then reused).

    ``verify_images`` decodes every image (``data check``); the world writes its own images, so
    the cheaper existence check of other sources is implied by the build.
    """
    if root is not None and seed is None and (Path(root) / MANIFEST).is_file():
        world = World.load(root)
    else:
        seed = 0 if seed is None else seed
        world = build_world(root if root is not None else default_world_dir(seed, image_size), seed=seed,
                            image_size=image_size)
    records = world.records(subset, split=split, database=database, user=user)
    records = records[:limit] if limit is not None else records
    problems = problems if problems is not None else Problems()
    if verify_images:
        kept = []
        for row, record in enumerate(records, start=1):
            errors = [e for e in map(check_image, record.images) if e is not None]
            for error in errors:
                problems.report(DataError(Path(world.root) / MANIFEST, error.reason, row, "image"))
            if not errors:
                kept.append(record)
        records = kept
    return SourceResult(records, problems)
