"""One registry helper for every extension point (sources, tasks, protocols, metrics, presets) and the
one closest-name suggestion every lookup error uses."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def closest(name: str, choices: Iterable[str], cutoff: float = 0.6, ignore_case: bool = False) -> str | None:
    """The choice most like ``name`` (difflib ratio >= ``cutoff``), or None."""
    choices = [str(c) for c in choices]
    if ignore_case:
        lowered = {c.lower(): c for c in choices}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
        return lowered[close[0]] if close else None
    close = difflib.get_close_matches(name, choices, n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(name: str, choices: Iterable[str], cutoff: float = 0.6, ignore_case: bool = False) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, else ``""``."""
    hit = closest(name, choices, cutoff, ignore_case)
    return f"; did you mean '{hit}'?" if hit else ""


class Registry(dict[str, T]):
    """Named entries of one kind: ``@REG.register("name")`` adds one, ``REG.lookup(name)`` finds it or
    raises ``ValueError`` naming the closest name and every known one."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering its target under ``name`` (a name is registered once)."""

        def wrap(entry: T) -> T:
            if name in self:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self[name] = entry
            return entry

        return wrap

    def lookup(self, name: str, where: str = "") -> T:
        """The entry called ``name``; an unknown name raises with a suggestion and the known names."""
        if name not in self:
            prefix = f"{where}: " if where else ""
            raise ValueError(f"{prefix}unknown {self.kind} {name!r}{did_you_mean(name, self, cutoff=0.5)} "
                             f"(known: {', '.join(sorted(self))})")
        return self[name]
