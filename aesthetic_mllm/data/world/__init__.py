"""The demo world: an offline, fully SYNTHETIC corpus with known ground truth.

Everything here is labelled synthetic (``meta["synthetic"] = True`` on every record, and in the
``world.json`` manifest). It is built from *real photos shipped inside PyPI packages* —
scikit-image's sample images (astronaut, camera, coffee, chelsea, rocket, coins, horse,
hubble_deep_field, immunohistochemistry, moon, page, text, clock, grass, gravel, brick, retina,
colorwheel, logo, cell, the left stereo_motorcycle view), scikit-learn's china/flower and
matplotlib's grace_hopper — plus controlled edits (``data.perturb``), so nothing is downloaded.

``build_world(out_dir, seed)`` writes square JPEGs at ``image_size`` (96 by default: the ``demo``
preset's input size, so every edit is rendered at the resolution the model sees) and a
``world.json`` manifest; it is deterministic for a seed and reuses a build with the same
parameters (manifest hash, including ``WORLD_VERSION``). Subsets (``World.records(subset)``):

- ``unlabeled``: the train photos and many random views of them (crops, flips and, three times in
  four, 1-2 random edits of any kind), with pixel pseudo-labels and no scores (stage 1).
- ``scoring``: each photo untouched (known quality 1.0, one base quality for all) plus edited
  variants with 1-2 edits that are visible without the original (``variants.SCORED_EDITS``:
  exposure, contrast, blur, noise, JPEG). Known quality = 1 - combined quality drop; score on
  1-10 is the mean of a 10-bin vote histogram sampled around ``2 + 6.5 * quality``. Comments come
  from the edits and the pseudo-labels; ``meta["suggestions"]`` holds the inverse advice of the
  edits; ``meta["edits"]`` the edits.
- ``pairs``: (original, edited) image pairs with what changed and how to fix it: every scored
  variant plus reference-relative edits (crop, tilt, saturation, colour cast), which are judged
  only where the original is shown.
- ``users``: ten simulated users with distinct, partly opposite tastes (``people.USERS``) rating
  on 1-5 in 0.5 steps; a quarter of each user's ratings are repeated later
  (``meta["rerating"] = True``, ``meta["session"] = 2``) so test-retest error is measurable.
- ``databases``: ``world_technical`` (1-5), ``world_colour`` (1-10, histograms) and
  ``world_composition`` (1-5) score the same images by different criteria (``Record.source`` is
  the database name): stand-ins for AVA / KonIQ / PARA as task-vector sources.

Splits are by source photo, stratified by content kind (photo, texture, science, document: each
kind on both the train and the test side): every variant, pair, rating and view of a photo shares
its split (at least 6 test and 3 val photos).
"""

from .build import IMAGE_SIZE, SUBSETS, WORLD_VERSION, World, assign_splits, build_world, default_world_dir
from .databases import DATABASES, DatabaseSpec
from .people import USERS, UserTaste
from .photos import PHOTOS, PhotoSpec

__all__ = ["DATABASES", "IMAGE_SIZE", "PHOTOS", "SUBSETS", "WORLD_VERSION", "USERS", "DatabaseSpec", "PhotoSpec", "UserTaste", "World",
           "assign_splits", "build_world", "default_world_dir"]
