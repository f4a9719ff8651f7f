"""How predictable is the demo world's known quality from pixels alone, on photos never trained on?

The quickstart asks a no-reference scorer to rank the test photos' variants by known quality
(1 - the combined drop of the edits). This script measures ceilings for that on the demo world
(SYNTHETIC data), with training on the train-split photos only and SRCC on the test split:

- ``features``: engineered no-reference features (sharpness, gradient and noise statistics at
  two scales, JPEG blockiness, luminance percentiles and clipping, chroma, colour balance) with
  a gradient-boosting regressor (scikit-learn), trained on the world's scored train variants and,
  separately, on ``--variants`` fresh random edits of the train photos (same edit sampler and
  quality formula as the world, so the training data is unlimited).
- ``encoder`` (``--encoder-steps N``): a preset's vision tower + MFA (``--presets``, from
  scratch, as in the quickstart) with a linear head, trained by direct MSE on fresh edited
  variants (random views of the train photos with the world's scored edits) for N steps: the
  direct-supervision ceiling of that encoder, used to choose the quickstart's preset.

Each figure is printed pooled over the images and as the mean SRCC within a photo, on the
validation split (what choices are made on) and the test split. Run:

    .venv/bin/python benchmarks/world_predictability.py [--size 96] [--variants 2000] \
        [--encoder-steps 600] [--presets tiny,demo]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from PIL import Image
from scipy import ndimage


def features(image: Image.Image, size: int) -> list[float]:
    """Engineered no-reference features of ``image`` resized to ``size`` x ``size``."""
    x = np.asarray(image.convert("RGB").resize((size, size), Image.BICUBIC), dtype=np.float32) / 255
    luma = x.mean(-1)
    out: list[float] = []
    for step in (1, 2):
        lum = luma[::step, ::step]
        laplace = ndimage.laplace(lum)
        gy, gx = np.gradient(lum)
        grad = np.hypot(gx, gy)
        residual = lum - ndimage.median_filter(lum, 3)
        flat = grad <= np.percentile(grad, 30)
        out += [np.abs(laplace).mean(), laplace.std(), grad.mean(), np.percentile(grad, 90),
                np.abs(residual).mean(), np.abs(residual[flat]).mean(), residual.std()]
    steps = np.abs(np.diff(luma, axis=1))
    chroma = x.max(-1) - x.min(-1)
    out += [steps[:, 7::8].mean() / (steps.mean() + 1e-6), luma.mean(), luma.std(), (luma < 0.02).mean(),
            (luma > 0.98).mean(), *np.percentile(luma, [1, 5, 25, 50, 75, 95, 99]), chroma.mean(), chroma.std(),
            *(x.mean(axis=(0, 1)) - luma.mean())]
    return [float(v) for v in out]


class EditedVariants:
    """Fresh random variants of the train photos with the world's edit sampler and quality formula.

    Each is a random view (crop and flip, from the photo at 4x the resolution) of a train photo,
    rendered at the world's size, with the world's scored edits applied at that size.
    """

    def __init__(self, originals: list[Image.Image], seed: int = 0, sources: list[Image.Image] | None = None):
        from aesthetic_mllm.data.world.variants import SCORED_EDITS

        self.originals, self.rng, self.eligible = originals, np.random.default_rng(seed), list(SCORED_EDITS)
        self.sources = sources or originals

    def sample(self) -> tuple[Image.Image, float]:
        from aesthetic_mllm.data.perturb import apply_edit, combined_quality
        from aesthetic_mllm.data.world.build import _view
        from aesthetic_mllm.data.world.variants import sample_plan

        index = int(self.rng.integers(len(self.originals)))
        image = _view(self.originals[index], self.rng, self.sources[index])
        if self.rng.random() < 0.1:  # the world keeps each photo untouched once in ten
            return image, 1.0
        drops = []
        for name, severity, direction in sample_plan(self.rng, self.eligible):
            result = apply_edit(image, name, severity, seed=int(self.rng.integers(2**31)), direction=direction)
            image = result.image
            drops.append(result.quality_drop)
        return image, combined_quality(drops)


def scores(pred: np.ndarray, quality: np.ndarray, photos: np.ndarray) -> tuple[float, float]:
    """(pooled SRCC, mean SRCC within a photo)."""
    from aesthetic_mllm.evaluation.metrics import srcc

    within = np.nanmean([srcc(pred[photos == p], quality[photos == p]) for p in sorted(set(photos))])
    return srcc(pred, quality), float(within)


def report(name: str, *splits: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    cells = " | ".join(f"{a:.3f} | {b:.3f}" for a, b in (scores(*s) for s in splits))
    print(f"| {name} | {cells} |", flush=True)


def encoder_bound(variants: EditedVariants, eval_images: list[Image.Image], steps: int, lr: float, batch: int,
                  preset: str = "demo"):
    """A preset's vision tower + MFA + linear head trained by MSE on fresh variants; predictions."""
    import torch

    from aesthetic_mllm.model.loading import from_preset

    torch.manual_seed(0)
    model, processor = from_preset(preset)
    head = torch.nn.Linear(model.config.text_config.hidden_size, 1)
    params = [*model.vision_tower.parameters(), *model.mfa.parameters(), *head.parameters()]
    optimizer = torch.optim.AdamW(params, lr=lr)

    def predict(pixels: torch.Tensor) -> torch.Tensor:
        return head(model.encode_images(pixels).flat().mean(1)).squeeze(-1)

    for _ in range(steps):
        images, targets = zip(*(variants.sample() for _ in range(batch)), strict=True)
        loss = (predict(processor.preprocess_images(list(images))) - torch.tensor(targets)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return predict(processor.preprocess_images(eval_images)).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=96, help="side the features are computed at (model input: 96)")
    parser.add_argument("--variants", type=int, default=2000, help="fresh edited train variants for the regressor")
    parser.add_argument("--encoder-steps", type=int, default=0, help="also train each preset's encoder for N steps")
    parser.add_argument("--encoder-lr", type=float, default=1e-3)
    parser.add_argument("--presets", default="demo", help="comma-separated presets for the encoder ceiling")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sklearn.ensemble import HistGradientBoostingRegressor

    from aesthetic_mllm.data.images import open_image
    from aesthetic_mllm.data.sources import load_source

    def split(name: str):
        records = load_source("world", None, subset="scoring", split=name, on_error="raise").records
        return ([open_image(r.image) for r in records], np.array([r.meta["quality"] for r in records]),
                np.array([r.meta["photo"] for r in records]), [bool(r.meta["edits"]) for r in records])

    train_images, train_quality, _, edited = split("train")
    val_images, val_quality, val_photos, _ = split("val")
    test_images, test_quality, test_photos, _ = split("test")
    originals = [im for im, e in zip(train_images, edited, strict=True) if not e]
    names = [r.meta["photo"] for r in load_source("world", None, subset="scoring", split="train").records
             if not r.meta["edits"]]
    from aesthetic_mllm.data.world.photos import PHOTOS, load_photo

    by_name = {p.name: p for p in PHOTOS}
    sources = [load_photo(by_name[n], 4 * originals[0].size[0], square=True) for n in names]
    print(f"demo world (SYNTHETIC): {len(originals)} train photos ({len(train_images)} scored variants), "
          f"{len(set(val_photos))} val photos ({len(val_images)}), {len(set(test_photos))} test photos "
          f"({len(test_images)} variants); features at {args.size}px\n")
    print("| predictor (trained on train photos only) | val SRCC pooled | val within a photo "
          "| test SRCC pooled | test within a photo |")
    print("|---|---|---|---|---|")
    evals = [(val_images, val_quality, val_photos), (test_images, test_quality, test_photos)]
    n_val = len(val_images)
    start = time.perf_counter()
    if args.variants:
        eval_x = np.array([features(im, args.size) for im in val_images + test_images])
        world_x = np.array([features(im, args.size) for im in train_images])
        model = HistGradientBoostingRegressor(max_iter=300, learning_rate=0.05, random_state=args.seed)
        pred = model.fit(world_x, train_quality).predict(eval_x)
        report("features + boosting, the world's train variants", *[(p, q, ph) for p, (_, q, ph) in
               zip((pred[:n_val], pred[n_val:]), evals, strict=True)])
        variants = EditedVariants(originals, args.seed, sources)
        fresh = [variants.sample() for _ in range(args.variants)]
        fresh_x = np.array([features(im, args.size) for im, _ in fresh])
        pred = model.fit(fresh_x, np.array([q for _, q in fresh])).predict(eval_x)
        report(f"features + boosting, {args.variants} fresh variants", *[(p, q, ph) for p, (_, q, ph) in
               zip((pred[:n_val], pred[n_val:]), evals, strict=True)])
    for preset in filter(None, args.presets.split(",")) if args.encoder_steps else []:
        t0 = time.perf_counter()
        pred = encoder_bound(EditedVariants(originals, args.seed + 1, sources), val_images + test_images,
                             args.encoder_steps, args.encoder_lr, batch=16, preset=preset)
        report(f"{preset} encoder + MFA, direct MSE, {args.encoder_steps} steps x 16 fresh variants "
               f"({time.perf_counter() - t0:.0f} s)", *[(p, q, ph) for p, (_, q, ph) in
               zip((pred[:n_val], pred[n_val:]), evals, strict=True)])
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
