"""The image placeholder and the MFA framing tokens (strings only; the model layer adds them to tokenizers)."""

from __future__ import annotations

IMAGE_TOKEN = "<image>"
LEVEL_TOKENS = ("<low>", "<middle>", "<high>", "<thematic>")
SPECIAL_TOKENS = (IMAGE_TOKEN, *LEVEL_TOKENS)
