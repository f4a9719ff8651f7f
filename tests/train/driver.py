"""Test driver: runs ``train(recipe)`` with test-only callbacks (per-rank logs, real SIGKILLs).

Usable under ``accelerate launch`` and the ``deepspeed`` launcher (which passes --local_rank).
    python driver.py RECIPE [key=value ...] [--log-dir D] [--kill-at-step N] [--kill-in-save N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

from aesthetic_mllm.config import load_recipe  # noqa: E402
from aesthetic_mllm.logs import configure_logging  # noqa: E402
from aesthetic_mllm.train import train  # noqa: E402


class RankLog(TrainerCallback):
    """Each rank appends its logs, and at the end a checksum of its (local) parameters."""

    def __init__(self, log_dir: str):
        self.dir = Path(log_dir)
        self.dir.mkdir(parents=True, exist_ok=True)

    def _path(self, state) -> Path:
        rank = int(os.environ.get("RANK", 0))
        return self.dir / f"rank{rank}.jsonl"

    def on_log(self, args, state, control, logs=None, **kwargs):
        with open(self._path(state), "a") as f:
            f.write(json.dumps({"step": state.global_step, **(logs or {})}) + "\n")

    def on_train_end(self, args, state, control, model=None, **kwargs):
        digest = hashlib.sha256()
        for name, p in sorted(model.named_parameters()):
            digest.update(name.encode())
            digest.update(p.detach().float().cpu().numpy().tobytes())
        with open(self._path(state), "a") as f:
            f.write(json.dumps({"final_params_sha256": digest.hexdigest()}) + "\n")


class KillAtStep(TrainerCallback):
    def __init__(self, step: int):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            os.kill(os.getpid(), signal.SIGKILL)


def kill_during_save(step: int) -> None:
    """SIGKILL this process while checkpoint-<step> is half written (after weights, before optimizer)."""
    real_save = torch.save

    def save(obj, f, *args, **kwargs):
        if f"checkpoint-{step}" in str(f) and str(f).endswith("optimizer.pt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_save(obj, f, *args, **kwargs)

    torch.save = save


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("recipe")
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--log-dir")
    parser.add_argument("--kill-at-step", type=int)
    parser.add_argument("--kill-in-save", type=int)
    parser.add_argument("--local_rank", type=int, default=None)  # from the deepspeed launcher
    args = parser.parse_args()
    configure_logging()
    callbacks = []
    if args.log_dir:
        callbacks.append(RankLog(args.log_dir))
    if args.kill_at_step:
        callbacks.append(KillAtStep(args.kill_at_step))
    if args.kill_in_save:
        kill_during_save(args.kill_in_save)
    out = train(load_recipe(args.recipe, args.overrides), callbacks=callbacks)
    print(f"done {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
