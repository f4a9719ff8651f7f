"""Run a function on every rank of a real 2-process gloo group (``init_method=file://``), fast.

``run_ranks(fn, tmp_path, *args)`` forks two processes (they inherit the imported package, so
a run takes about a second), each joins the group and calls ``fn(rank, *args)``; it returns the
per-rank results (or the per-rank exception text), and fails the test when a rank hangs (a
missing or extra collective) instead of blocking forever.
"""

from __future__ import annotations

import pickle
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch.distributed as dist
import torch.multiprocessing as mp

WORLD = 2


def _entry(rank: int, fn: Callable[..., Any], store: str, results: str, args: tuple) -> None:
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=WORLD)
    try:
        outcome = ("ok", fn(rank, *args))
    except Exception as err:  # reported to the test, not swallowed
        outcome = ("error", f"{type(err).__name__}: {err}", traceback.format_exc())
    Path(results, f"rank{rank}.pkl").write_bytes(pickle.dumps(outcome))
    dist.destroy_process_group()


def run_ranks(fn: Callable[..., Any], tmp: Path, *args: Any, timeout: float = 120.0) -> list[tuple]:
    """``[(status, value_or_message, ...)]`` per rank; asserts no rank hung past ``timeout`` seconds."""
    results = Path(tmp) / "rank_results"
    results.mkdir(parents=True, exist_ok=True)
    store = Path(tmp) / "pg_store"
    ctx = mp.start_processes(_entry, args=(fn, str(store), str(results), args), nprocs=WORLD, join=False,
                             start_method="fork")
    deadline = time.monotonic() + timeout
    while not ctx.join(timeout=1):
        if time.monotonic() > deadline:
            for proc in ctx.processes:
                proc.kill()
            raise AssertionError(f"a rank hung for {timeout:.0f}s (a collective is missing on some rank)")
    return [pickle.loads((results / f"rank{r}.pkl").read_bytes()) for r in range(WORLD)]
