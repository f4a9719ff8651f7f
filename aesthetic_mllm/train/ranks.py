"""Rank coordination over ``torch.distributed`` (whichever launcher set it up); no-ops in one process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class RankZeroError(RuntimeError):
    """Raised on the other ranks when the decision taken on rank 0 failed (its message included)."""


def _group():
    """``torch.distributed`` when a process group is up (accelerate, DeepSpeed, torchrun), else None."""
    import torch.distributed as dist

    return dist if dist.is_available() and dist.is_initialized() else None


def rank() -> int:
    dist = _group()
    return 0 if dist is None else dist.get_rank()


def is_main_process() -> bool:
    return rank() == 0


def barrier() -> None:
    """Wait for every rank."""
    dist = _group()
    if dist is not None:
        dist.barrier()


def gather_objects(obj: Any) -> list[Any]:
    """Every rank's ``obj`` (picklable), in rank order, on every rank."""
    dist = _group()
    if dist is None:
        return [obj]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def decided_on_main(decide: Callable[[], T], error_type: type[Exception] = RankZeroError) -> T:
    """Run ``decide`` on rank 0 only; every rank returns its result, or raises (``error_type`` off rank 0)."""
    dist = _group()
    if dist is None:
        return decide()
    outcome: list[Any] = [None]
    error: Exception | None = None
    if dist.get_rank() == 0:
        try:
            outcome[0] = ("ok", decide())
        except Exception as err:  # re-raised below, on every rank
            error, outcome[0] = err, ("error", f"{type(err).__name__}: {err}")
    dist.broadcast_object_list(outcome, src=0)
    status, value = outcome[0]
    if error is not None:
        raise error
    if status == "error":
        raise error_type(f"rank 0: {value}")
    return value
