"""Profiles on disk: one ``DIR/NAME.json`` per user, written atomically; names are checked first."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ...files import atomic_write_text
from .profile import Profile, ProfileValidationError, validate_profile

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


class InvalidUserNameError(ValueError):
    """A user name that could escape the profile directory or hide the file."""


def check_user_name(name: str) -> str:
    """``name`` if it is a plain file name (letters, digits, ``_ . -``; no leading dot), else an error."""
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
        raise InvalidUserNameError(
            f"invalid user name {name!r}: use 1-64 letters, digits, '_', '-' or '.', starting with a letter or "
            "digit (no path separators, no '..', not hidden)")
    return name


def profile_path(directory: str | Path, user: str) -> Path:
    """``directory/user.json`` after checking ``user``."""
    return Path(directory) / f"{check_user_name(user)}.json"


def save_profile(profile: Profile, directory: str | Path) -> Path:
    """Write ``profile`` to ``directory/<profile.user>.json`` through a temporary file + ``os.replace``."""
    path = profile_path(directory, profile.user)
    validate_profile(profile.to_dict())  # never write a profile that would not load back
    atomic_write_text(path, json.dumps(profile.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return path


def load_profile(directory: str | Path, user: str) -> Profile:
    """Read and validate ``directory/user.json`` (errors name the file)."""
    path = profile_path(directory, user)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no profile for user {user!r}") from None
    except ValueError as err:
        raise ValueError(f"{path}: not valid JSON: {err}") from err
    try:
        return validate_profile(data)
    except ProfileValidationError as err:
        raise ProfileValidationError([f"{path}: {e}" for e in err.errors]) from None
