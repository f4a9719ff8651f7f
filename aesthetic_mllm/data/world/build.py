"""Building, caching and reading the demo world (see the package docstring for its contents)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ...files import atomic_write_text
from ..perturb import EDITS, apply_edit
from ..pseudo_labels import ATTRIBUTES, AttributeCache
from ..pseudo_labels import VERSION as ATTRIBUTES_VERSION
from ..schema import Record
from .databases import DATABASES
from .people import RATING_RANGE, USERS, latent_liking, standardise, to_rating
from .photos import PHOTOS, PhotoSpec, is_grayscale, load_photo
from .variants import (
    PAIR_EDITS,
    SCORED_EDITS,
    Variant,
    critique,
    histogram_mean,
    make_variants,
    sample_plan,
    vote_histogram,
)

WORLD_VERSION = 2
IMAGE_SIZE = 96  # the demo preset's input size: edits are rendered at the resolution the model sees
SCORE_RANGE = (1.0, 10.0)
SUBSETS = ("scoring", "pairs", "unlabeled", "users", "databases")
MANIFEST = "world.json"


def default_world_dir(seed: int = 0, image_size: int = IMAGE_SIZE) -> Path:
    """``~/.cache/aesthetic_mllm/world/v{version}-seed{seed}-{size}px`` (``AESTHETIC_MLLM_CACHE`` moves the root)."""
    base = os.environ.get("AESTHETIC_MLLM_CACHE") or Path.home() / ".cache" / "aesthetic_mllm"
    return Path(base) / "world" / f"v{WORLD_VERSION}-seed{seed}-{image_size}px"


def assign_splits(names: list[str], rng: np.random.Generator, test_fraction: float = 0.3,
                  val_fraction: float = 0.15, min_test: int = 6, min_val: int = 3,
                  kinds: dict[str, str] | None = None) -> dict[str, str]:
    """Photo name -> train/val/test at random, stratified by ``kinds`` (name -> content kind).

    Within each kind about ``test_fraction`` of the photos go to test and ``val_fraction`` to val,
    keeping at least one test and one train photo of every kind with two or more photos; more
    test/val photos are then drawn from the largest kinds until ``min_test``/``min_val`` hold.
    """
    kinds = kinds or {}
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(kinds.get(name, ""), []).append(name)
    split: dict[str, str] = {}
    pools: dict[str, list[str]] = {}
    for kind in sorted(groups):
        members = [groups[kind][i] for i in rng.permutation(len(groups[kind]))]
        n = len(members)
        n_test = min(n - 1, max(1, round(test_fraction * n))) if n > 1 else 0
        n_val = min(n - n_test - 1, round(val_fraction * n)) if n > 2 else 0
        for i, name in enumerate(members):
            split[name] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
        pools[kind] = [m for m in members if split[m] == "train"]
    for target, minimum in (("test", min_test), ("val", min_val)):
        while sum(v == target for v in split.values()) < minimum:
            kind = max(pools, key=lambda k: (len(pools[k]), k))
            if len(pools[kind]) <= 1 and sum(v == "train" for v in split.values()) <= 1:
                break
            split[pools[kind].pop()] = target
    return {name: split[name] for name in names}


@dataclass
class World:
    """A built demo world: its directory and manifest; ``records`` gives ``Record``s with absolute paths."""

    root: Path
    manifest: dict[str, Any]

    @classmethod
    def load(cls, root: str | Path) -> World:
        root = Path(root)
        return cls(root, json.loads((root / MANIFEST).read_text(encoding="utf-8")))

    @property
    def params_hash(self) -> str:
        return self.manifest["params_hash"]

    @property
    def seed(self) -> int:
        return int(self.manifest["params"]["seed"])

    @property
    def photos(self) -> list[dict[str, Any]]:
        return self.manifest["photos"]

    @property
    def users(self) -> list[dict[str, Any]]:
        return self.manifest["users"]

    @property
    def databases(self) -> dict[str, dict[str, Any]]:
        return self.manifest["databases"]

    def records(self, subset: str = "scoring", split: str | None = None, database: str | None = None,
                user: str | None = None) -> list[Record]:
        """Records of ``subset`` (optionally one split, database or user), image paths made absolute."""
        if subset not in SUBSETS:
            raise ValueError(f"unknown world subset {subset!r} (known: {', '.join(SUBSETS)})")
        if database is not None and database not in self.databases:
            raise ValueError(f"unknown world database {database!r} (known: {', '.join(self.databases)})")
        out = []
        for row in self.manifest["records"][subset]:
            if (split and row["split"] != split) or (database and row["source"] != database) \
                    or (user and row.get("user_id") != user):
                continue
            record = Record.from_dict(row)
            record.images = [str(self.root / p) for p in record.images]
            out.append(record)
        return out


def _save(image: Image.Image, root: Path, rel: str) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    image.save(tmp, "JPEG", quality=95)
    os.replace(tmp, path)  # readers of a world being built never see half a file
    return rel


def _view(image: Image.Image, rng: np.random.Generator, source: Image.Image | None = None) -> Image.Image:
    """A random crop (55-90% of the area, same aspect), flipped half of the time, at ``image``'s size.

    ``source`` (the same photo at a higher resolution) is cropped instead when given, so a view has
    the detail of a photo at the model's resolution rather than an upsampled part of one.
    """
    w, h = image.size
    src = source or image
    sw, sh = src.size
    side = float(np.sqrt(rng.uniform(0.55, 0.9)))
    cw, ch = sw * side, sh * side
    x0, y0 = rng.uniform(0, sw - cw), rng.uniform(0, sh - ch)
    view = src.resize((w, h), Image.LANCZOS, box=(x0, y0, x0 + cw, y0 + ch))
    return view.transpose(Image.FLIP_LEFT_RIGHT) if rng.random() < 0.5 else view


def _edited_view(image: Image.Image, rng: np.random.Generator, source: Image.Image, eligible: list[str],
                 edit_fraction: float) -> Image.Image:
    """A random view, with 1-2 random edits of any kind ``edit_fraction`` of the time (no score is kept)."""
    view = _view(image, rng, source)
    if rng.random() < edit_fraction:
        for name, severity, direction in sample_plan(rng, eligible):
            view = apply_edit(view, name, severity, seed=int(rng.integers(2**31)), direction=direction).image
    return view


def _base(variant_id: str, photo: dict[str, Any], rel: str, **meta: Any) -> dict[str, Any]:
    return {"images": [rel], "split": photo["split"], "tags": list(photo["tags"]),
            "meta": {"synthetic": True, "photo": photo["name"], "variant": variant_id, **meta}}


class _Builder:
    def __init__(self, root: Path, params: dict[str, Any], cache: AttributeCache):
        self.root, self.p, self.cache = root, params, cache
        self.records: dict[str, list[dict[str, Any]]] = {s: [] for s in SUBSETS}
        self.scored: list[tuple[Variant, dict[str, Any], str, dict[str, float]]] = []
        self.pair_only: list[tuple[Variant, dict[str, Any], str]] = []

    def attrs(self, rel: str) -> dict[str, float]:
        return self.cache.get_or_compute(self.root / rel)

    def photo(self, index: int, spec: PhotoSpec, split: str) -> dict[str, Any]:
        seed, size = self.p["seed"], self.p["image_size"]
        image = load_photo(spec, size, square=True)
        rel = _save(image, self.root, f"images/photos/{spec.name}.jpg")
        photo = {"name": spec.name, "origin": spec.origin, "kind": spec.kind, "tags": list(spec.tags),
                 "split": split, "file": rel, "grayscale": is_grayscale(image)}
        rng = np.random.default_rng([seed, index])
        for v in make_variants(spec.name, image, self.p["variants_per_photo"], rng, list(SCORED_EDITS)):
            vrel = rel if not v.edits else _save(v.image, self.root, f"images/variants/{v.id}.jpg")
            self.scored.append((v, photo, vrel, self.attrs(vrel)))
        pair_edits = [n for n in PAIR_EDITS if not (photo["grayscale"] and n == "saturation")]
        for v in make_variants(spec.name, image, self.p["pair_variants"] + 1, rng, pair_edits, max_edits=1)[1:]:
            v.id = f"{spec.name}_p{v.id.rsplit('_', 1)[1]}"
            self.pair_only.append((v, photo, _save(v.image, self.root, f"images/pairs/{v.id}.jpg")))
        if split == "train":
            source = load_photo(spec, 4 * size, square=True)
            for k in range(self.p["unlabeled_views"] + 1):
                urel = rel if k == 0 else _save(
                    _edited_view(image, rng, source, list(EDITS), self.p["unlabeled_edit_fraction"]),
                    self.root, f"images/unlabeled/{spec.name}_{k}.jpg")
                row = _base(f"{spec.name}_view{k}", photo, urel)
                self.records["unlabeled"].append({"id": f"world/unlabeled/{spec.name}_{k}", "source": "world",
                                                  "attributes": self.attrs(urel), **row})
        return photo

    def scoring(self) -> None:
        rng = np.random.default_rng([self.p["seed"], 10_000])
        for v, photo, rel, attrs in self.scored:
            hist = vote_histogram(2.0 + 6.5 * v.quality, rng, votes=self.p["votes"], score_range=SCORE_RANGE)
            row = _base(v.id, photo, rel, quality=v.quality, edits=v.edit_meta(),
                        suggestions=[e.advice for e in v.edits])
            self.records["scoring"].append({"id": f"world/{v.id}", "source": "world", "score": histogram_mean(
                hist, SCORE_RANGE), "score_range": SCORE_RANGE, "histogram": hist, "attributes": attrs,
                "comments": critique(attrs, v.edits, rng), **row})
            if v.edits:
                self._pair(v, photo, rel)
        for v, photo, rel in self.pair_only:
            self._pair(v, photo, rel)

    def _pair(self, v: Variant, photo: dict[str, Any], rel: str) -> None:
        """(original, edited): the original is shown, so reference-relative edits (crop, tilt, colour) count."""
        pair = _base(v.id, photo, rel, better=0, quality=[1.0, v.quality], edits=v.edit_meta(),
                     suggestions=[e.advice for e in v.edits])
        pair["images"] = [photo["file"], rel]
        self.records["pairs"].append({"id": f"world/pair/{v.id}", "source": "world",
                                      "comments": [e.description for e in v.edits], **pair})

    def users(self) -> dict[str, Any]:
        keys = ATTRIBUTES + ["quality"]
        z, stats = standardise([{**attrs, "quality": v.quality} for v, _, _, attrs in self.scored], keys)
        n = len(self.scored)
        for index, user in enumerate(USERS):
            rng = np.random.default_rng([self.p["seed"], 20_000 + index])
            latent = latent_liking(user, z, keys)
            rated = np.sort(rng.choice(n, size=max(1, round(self.p["user_coverage"] * n)), replace=False))
            retest = set(rng.choice(rated, size=round(self.p["rerate_fraction"] * len(rated)), replace=False).tolist())
            first, second = to_rating(latent[rated], rng), to_rating(latent[sorted(retest)], rng)
            again = dict(zip(sorted(retest), second.tolist(), strict=True))
            for i, score in zip(rated.tolist(), first.tolist(), strict=True):
                v, photo, rel, _ = self.scored[i]
                rid = f"world/user/{user.id}/{v.id}"
                for session, value in ((1, score), (2, again.get(i))):
                    if value is None:
                        continue
                    row = _base(v.id, photo, rel, session=session, rerating=session == 2,
                                **({"first_rating": rid} if session == 2 else {}))
                    self.records["users"].append({"id": rid + ("/retest" if session == 2 else ""), "source": "world",
                                                  "score": value, "score_range": RATING_RANGE,
                                                  "user_id": user.id, **row})
        return {"keys": keys, **stats}

    def databases(self) -> None:
        for index, spec in enumerate(DATABASES.values()):
            rng = np.random.default_rng([self.p["seed"], 30_000 + index])
            for v, photo, rel, attrs in self.scored:
                score, hist = spec.score(v.category_quality(spec.categories), attrs, rng)
                row = _base(v.id, photo, rel, database=spec.name, criteria=spec.criteria)
                self.records["databases"].append({"id": f"{spec.name}/{v.id}", "source": spec.name, "score": score,
                                                  "score_range": spec.score_range, "histogram": hist,
                                                  "attributes": attrs, **row})


def build_world(out_dir: str | Path, seed: int = 0, image_size: int = IMAGE_SIZE, variants_per_photo: int = 10,
                unlabeled_views: int = 48, user_coverage: float = 0.85, rerate_fraction: float = 0.25,
                votes: int = 50, photos: list[str] | None = None, pair_variants: int = 4,
                unlabeled_edit_fraction: float = 0.75) -> World:
    """Build the demo world in ``out_dir`` (or reuse the build there made with the same parameters).

    ``image_size`` is the side of the (square) images and should be the model's input size, so
    every edit is rendered at the resolution the model sees.
    """
    specs = [s for s in PHOTOS if photos is None or s.name in photos]
    if photos is not None and len(specs) != len(set(photos)):
        unknown = sorted(set(photos) - {s.name for s in PHOTOS})
        raise ValueError(f"unknown world photos {unknown} (known: {', '.join(s.name for s in PHOTOS)})")
    params = {"world_version": WORLD_VERSION, "attributes_version": ATTRIBUTES_VERSION, "seed": seed,
              "image_size": image_size, "variants_per_photo": variants_per_photo, "unlabeled_views": unlabeled_views,
              "user_coverage": user_coverage, "rerate_fraction": rerate_fraction, "votes": votes,
              "photos": [s.name for s in specs], "pair_variants": pair_variants,
              "unlabeled_edit_fraction": unlabeled_edit_fraction}
    params_hash = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    root = Path(out_dir)
    if (root / MANIFEST).is_file():
        try:
            world = World.load(root)
            if world.params_hash == params_hash and all((root / p["file"]).is_file() for p in world.photos):
                return world
        except (OSError, ValueError, KeyError):
            pass  # an unreadable or foreign manifest is rebuilt
    builder = _Builder(root, params, AttributeCache(root / "cache" / "attributes"))
    splits = assign_splits([s.name for s in specs], np.random.default_rng([seed, 0]),
                           kinds={s.name: s.kind for s in specs})
    photo_rows = [builder.photo(i, spec, splits[spec.name]) for i, spec in enumerate(specs)]
    builder.scoring()
    normalisation = builder.users()
    builder.databases()
    manifest = {
        "name": "aesthetic_mllm demo world", "synthetic": True,
        "note": "SYNTHETIC: real sample photos from PyPI packages, controlled edits, simulated scores and users.",
        "params": params, "params_hash": params_hash, "photos": photo_rows,
        "users": [{"id": u.id, "description": u.description, "weights": u.weights} for u in USERS],
        "user_normalisation": normalisation,
        "databases": {s.name: {"criteria": s.criteria, "stands_in_for": s.stands_in_for,
                               "score_range": list(s.score_range)} for s in DATABASES.values()},
        "score_range": list(SCORE_RANGE), "records": builder.records,
    }
    atomic_write_text(root / MANIFEST, json.dumps(manifest, sort_keys=True))
    return World(root, json.loads(json.dumps(manifest)))
