"""BRISQUE beside the quickstart model on the demo world's held-out test photos (SYNTHETIC data).

BRISQUE (the ``brisque`` PyPI package: an SVR on natural-scene statistics, trained on LIVE in
2012) is a classical no-reference peer that never saw this world. The package needs
``numpy<2`` and ``opencv-python-headless<4.11``, which clash with this project's environment, so
it runs in its own small venv (``--venv``, default ``/tmp/brisque-venv``), created by this
script when missing (``pip install "numpy<2" "opencv-python-headless<4.11" brisque``; that
needs the package index once). Both predictors score the same test images at the same input
resolution (the world renders them at the model's input size); BRISQUE's score is lower-is-better,
so its negation is correlated. Printed: SRCC against the known quality, pooled and within a photo.

    .venv/bin/python benchmarks/brisque_compare.py --model outputs/quickstart/stage2 [--split test]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SCORER = """
import json, sys
import numpy as np
from PIL import Image
from brisque import BRISQUE
paths = json.load(open(sys.argv[1]))
obj = BRISQUE(url=False)
out = []
for p in paths:
    x = np.asarray(Image.open(p).convert("RGB"))
    out.append(float(obj.score(img=x)))
json.dump(out, open(sys.argv[2], "w"))
"""


def ensure_venv(venv: Path) -> Path:
    """The venv's python, creating the venv with brisque and its pins when it is missing."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import brisque"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {venv} with brisque (numpy<2, opencv-python-headless<4.11) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "numpy<2", "opencv-python-headless<4.11", "pillow",
                    "brisque"], check=True)
    return python


def brisque_scores(python: Path, paths: list[str]) -> np.ndarray:
    """BRISQUE scores (lower is better) of ``paths``, computed in the BRISQUE venv."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst, script = Path(tmp, "in.json"), Path(tmp, "out.json"), Path(tmp, "score.py")
        src.write_text(json.dumps(paths))
        script.write_text(SCORER)
        subprocess.run([str(python), str(script), str(src), str(dst)], check=True)
        return np.array(json.loads(dst.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a trained model directory (e.g. outputs/quickstart/stage2)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--venv", default="/tmp/brisque-venv")
    args = parser.parse_args()

    from aesthetic_mllm.data.images import open_image
    from aesthetic_mllm.data.sources import load_source
    from aesthetic_mllm.evaluation.metrics import srcc
    from aesthetic_mllm.quickstart import evaluate_world_scoring, within_photo_srcc

    records = load_source("world", None, split=args.split, subset="scoring", on_error="raise").records
    quality = np.array([r.meta["quality"] for r in records])
    photos = np.array([r.meta["photo"] for r in records])
    size = open_image(records[0].image).size
    brisque = -brisque_scores(ensure_venv(Path(args.venv)), [r.image for r in records])
    print(f"demo world (SYNTHETIC), {args.split} split: {len(records)} variants of {len(set(photos))} photos "
          f"never seen in training, {size[0]}x{size[1]} px (the model's input size)\n")
    print("| predictor | SRCC pooled | SRCC within a photo |\n|---|---|---|")
    print(f"| BRISQUE (negated; LIVE-trained SVR) | {srcc(brisque, quality):.3f} "
          f"| {within_photo_srcc(brisque, quality, photos):.3f} |")
    if args.model:
        ours = evaluate_world_scoring(args.model, args.split)
        print(f"| this model ({args.model}) | {ours['srcc']:.3f} | {ours['srcc_within_photo']:.3f} |")


if __name__ == "__main__":
    main()
