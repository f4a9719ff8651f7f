"""Logging set-up for the command-line entry points: INFO on the main process, warnings on the others."""

from __future__ import annotations

import logging
import os


def configure_logging() -> None:
    """INFO on the main process (rank 0), warnings only on the others; no weight-loading progress bars."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # weight-loading bars; training progress bars stay
    rank = int(os.environ.get("RANK", os.environ.get("LOCAL_RANK", 0)))
    logging.basicConfig(level=logging.INFO if rank == 0 else logging.WARNING,
                        format=f"[%(asctime)s rank{rank} %(name)s] %(message)s", datefmt="%H:%M:%S")
