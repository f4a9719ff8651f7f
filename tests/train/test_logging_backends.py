"""``report_to: tensorboard`` and ``wandb`` (offline): a 2-step run writes the backend's files and they hold the loss.

Each run is the real ``aesthetic-mllm train`` in a subprocess (wandb starts a service process);
the run's own ``loss_curve.png`` and its ``README.md`` model card are still written.
"""

from __future__ import annotations

import json
import struct
import sys

import pytest

from .conftest import FAST_STAGE2, STAGE2, run

pytestmark = pytest.mark.slow


def _train(out, backend: str, env: dict[str, str] | None = None):
    proc = run([sys.executable, "-m", "aesthetic_mllm.cli", "train", str(STAGE2), *FAST_STAGE2, f"output_dir={out}",
                "max_steps=2", f"train.report_to={backend}"], env={"OMP_NUM_THREADS": "1", **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "loss_curve.png").stat().st_size > 0
    card = (out / "README.md").read_text()  # the model card names the recipe and the data it read
    assert card.startswith("---\n") and "## Training recipe" in card and "| world:train | 32 | 0 |" in card
    assert "Samples skipped during training (unreadable at load time): 0" in card
    return json.loads((out / "run.json").read_text())["progress"]["log_history"]


def _losses(history) -> list[float]:
    return [h["loss"] for h in history if "loss" in h]


def test_tensorboard_event_file_holds_the_loss(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "run"
    history = _train(out, "tensorboard")
    events = sorted(out.rglob("events.out.tfevents.*"))
    assert events, f"no event file under {out}"
    acc = EventAccumulator(str(events[0].parent))
    acc.Reload()
    assert "train/loss" in acc.Tags()["scalars"]
    logged = [e.value for e in acc.Scalars("train/loss")]
    assert logged == pytest.approx(_losses(history), rel=1e-5) and len(logged) == 2


def _wandb_records(path):
    """Records of an offline ``run-*.wandb`` file: wandb's 7-byte header, then LevelDB-log framed protobufs.

    wandb 0.31 ships no Python reader of its own (``wandb sync`` reads it in Go).
    """
    from wandb.proto import wandb_internal_pb2

    data = path.read_bytes()
    assert data[:4] == b":W&B", f"{path}: not a wandb datastore"
    pos, block, buf = 7, 32768, b""
    while pos + 7 <= len(data):
        left = block - pos % block
        _crc, length, kind = struct.unpack("<IHB", data[pos:pos + 7]) if left >= 7 else (0, 0, 0)
        if kind == 0:  # block trailer padding
            pos += left
            continue
        buf += data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):  # FULL or LAST fragment
            record = wandb_internal_pb2.Record()
            record.ParseFromString(buf)
            buf = b""
            yield record


def test_wandb_offline_run_holds_the_loss(tmp_path):
    pytest.importorskip("wandb")
    out, wandb_dir = tmp_path / "run", tmp_path / "wandb_root"
    wandb_dir.mkdir()
    history = _train(out, "wandb", env={"WANDB_MODE": "offline", "WANDB_DIR": str(wandb_dir),
                                        "WANDB_PROJECT": "aesthetic-mllm-test", "WANDB_SILENT": "true"})
    runs = sorted(wandb_dir.glob("wandb/offline-run-*"))
    assert len(runs) == 1, list(wandb_dir.rglob("*"))
    (datastore,) = runs[0].glob("run-*.wandb")  # the offline run, ready for `wandb sync`
    records = list(_wandb_records(datastore))
    logged = [json.loads(item.value_json) for r in records if r.WhichOneof("record_type") == "history"
              for item in r.history.item if (item.key or "/".join(item.nested_key)) == "train/loss"]
    assert logged == pytest.approx(_losses(history), rel=1e-6) and len(logged) == 2
    assert any(r.WhichOneof("record_type") == "exit" for r in records)  # the run was closed, not abandoned
