"""The image placeholder and the MFA framing tokens, added to any tokenizer."""

from __future__ import annotations

from ..contract.tokens import IMAGE_TOKEN, LEVEL_TOKENS, SPECIAL_TOKENS

__all__ = ["IMAGE_TOKEN", "LEVEL_TOKENS", "SPECIAL_TOKENS", "add_special_tokens", "special_token_ids"]


def add_special_tokens(tokenizer) -> int:
    """Add the image and level tokens (and a pad token if missing); returns how many were new."""
    added = tokenizer.add_special_tokens(
        {"additional_special_tokens": [t for t in SPECIAL_TOKENS if t not in tokenizer.get_vocab()]},
        replace_extra_special_tokens=False,
    ) if any(t not in tokenizer.get_vocab() for t in SPECIAL_TOKENS) else 0
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    return added


def special_token_ids(tokenizer) -> dict[str, int]:
    """Map each special token to its id, failing clearly when one is missing."""
    vocab = tokenizer.get_vocab()
    missing = [t for t in SPECIAL_TOKENS if t not in vocab]
    if missing:
        raise ValueError(f"tokenizer lacks the special tokens {missing}; call add_special_tokens(tokenizer)")
    return {t: vocab[t] for t in SPECIAL_TOKENS}
