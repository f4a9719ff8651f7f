"""Generic conversations kept as they are (e.g. LLaVA-style image-text pairs mixed into stage 1).

``record.messages`` holds ``{"role", "content"}`` turns (LLaVA's ``{"from", "value"}`` with
``human``/``gpt`` is accepted too) with ``<image>`` placeholders matching ``record.images``.
"""

from __future__ import annotations

import random

from ...contract.prompts import Conversation
from ..schema import Record
from .base import Sample, TaskBuilder, register_task

LLAVA_ROLES = {"human": "user", "gpt": "assistant", "system": "system"}


def to_conversation(messages: list[dict[str, str]]) -> Conversation:
    """Normalise role/content or LLaVA from/value turns to role/content."""
    out: Conversation = []
    for message in messages:
        if "role" in message:
            out.append({"role": message["role"], "content": message["content"]})
        else:
            out.append({"role": LLAVA_ROLES.get(message["from"], message["from"]), "content": message["value"]})
    return out


@register_task("chat")
class ChatTask(TaskBuilder):
    """Train on the record's own messages; every assistant turn is a target."""

    def accepts(self, record: Record) -> bool:
        return bool(record.messages) and any(m.get("role", m.get("from")) in ("assistant", "gpt")
                                             for m in record.messages)

    def build(self, record: Record, rng: random.Random) -> Sample:
        return Sample(to_conversation(record.messages), list(record.images), {"task": self.name})
