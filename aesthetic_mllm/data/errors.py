"""Data problems that name the file, row, image and field; the raise-or-skip policy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

OnError = Literal["raise", "skip"]


class DataError(ValueError):
    """A bad input: the message names file, row (when there is one), the row's image (when known) and field.

    ``reason`` starts with the problem kind (``missing image``, ``out of range``, ``no answer`` ...).
    """

    def __init__(self, file: str, message: str, row: int | None = None, field: str | None = None,
                 image: str | None = None):
        self.file, self.row, self.field, self.reason = str(file), row, field, message
        self.image = None if image is None else str(image)
        where = (self.file + (f", row {row}" if row is not None else "")
                 + (f", image '{self.image}'" if self.image else "") + (f", field '{field}'" if field else ""))
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # picklable (DataLoader workers send errors to the main process)
        return DataError, (self.file, self.reason, self.row, self.field, self.image)

    @property
    def kind(self) -> str:
        """The problem kind: the reason's words before the first colon."""
        return self.reason.split(":")[0]


@dataclass
class Problems:
    """Collects problems under a policy: ``raise`` stops at the first, ``skip`` counts them.

    ``skipped`` holds rows left out on purpose (the data marks them as having no value); they are
    counted by kind but never raise and are not problems.
    """

    on_error: OnError = "skip"
    items: list[DataError] = field(default_factory=list)
    skipped: list[DataError] = field(default_factory=list)

    def report(self, error: DataError) -> None:
        if self.on_error == "raise":
            raise error
        self.items.append(error)

    def skip(self, error: DataError) -> None:
        """Count a row that the published data leaves out on purpose (e.g. AADB's 0 = "no answer").

        Never raises and is not a problem: ``data check`` lists these apart, by kind.
        """
        self.skipped.append(error)

    def skipped_counts(self) -> dict[str, int]:
        """How many rows of each kind were skipped on purpose."""
        return dict(Counter(e.kind for e in self.skipped))

    def counts(self) -> dict[str, int]:
        """How many problems of each kind (by the first words of the reason)."""
        return dict(Counter(e.kind for e in self.items))

    def __len__(self) -> int:
        return len(self.items)
