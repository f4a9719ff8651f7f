"""Reading annotation files row by row, reporting file-level problems under the policy.

Rows are numbered as a spreadsheet would show them: 1-based, the header line counting as
row 1, so ``row 5`` is line 5 of a CSV file. JSON entries are numbered from 1.
Every reader streams: nothing holds the whole file in memory except JSON documents.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ...registry import did_you_mean
from ..errors import DataError, Problems

Row = dict[str, Any]


def suggestion(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices`` (case-insensitive), else ``""``."""
    return did_you_mean(name, choices, cutoff=0.5, ignore_case=True)


def _exists(path: Path, problems: Problems) -> bool:
    if path.is_file():
        return True
    problems.report(DataError(path, "missing file: not found"))
    return False


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_columns(path: Path, header: list[str], required: Iterable[str], problems: Problems) -> bool:
    """Report each required column absent from ``header`` (with the closest name); True if all there."""
    ok = True
    for column in required:
        if column not in header:
            ok = False
            problems.report(DataError(path, f"missing column: '{column}' not in header{suggestion(column, header)}",
                                      row=1, field=column))
    return ok


def _csv_rows(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=True)
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for number, cells in enumerate(book.active.iter_rows(values_only=True), start=1):
            yield number, [c.strip() if isinstance(c, str) else c for c in cells]
    finally:
        book.close()


def _json_rows(path: Path) -> Iterator[tuple[int, Row]]:
    if path.suffix.lower() == ".jsonl":
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, json.loads(line)
        return
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of objects")
    yield from enumerate(data, start=1)


def read_table(path: Path, problems: Problems, required: Iterable[str] = (), delimiter: str = ",",
               image_column: str | None = None, keep: Callable[[Row], bool] | None = None) -> Iterator[tuple[int, Row]]:
    """Yield ``(row, {column: value})`` from a CSV/TSV, XLSX, JSON list or JSONL file.

    Names and values are stripped of surrounding spaces (FLICKR-AES pads its header and every
    cell: the CSV is read as with ``skipinitialspace``). Reported: missing file, empty file, missing
    columns (file-level: nothing is yielded), malformed rows (wrong number of cells) and empty
    required values (the row is skipped); row problems name the row's ``image_column`` value.
    ``keep(row)`` (e.g. "is this row in the requested split?") is asked before the required values
    are checked: rows it refuses are passed over silently.
    """
    required = list(required)
    if not _exists(path, problems):
        return
    header: list[str] | None = None
    count = 0
    try:
        for number, cells in _rows(path, delimiter):
            if isinstance(cells, dict):
                row = {str(k).strip(): v for k, v in cells.items()}
            elif not isinstance(cells, list):
                problems.report(DataError(path, "malformed row: expected an object", row=number))
                continue
            elif all(c in (None, "") for c in cells):
                continue
            elif header is None:
                header = [str(c or "").strip() for c in cells]
                if not check_columns(path, header, required, problems):
                    return
                continue
            elif len(cells) != len(header):
                at = header.index(image_column) if image_column in header else None
                problems.report(DataError(path, f"malformed row: expected {len(header)} cells, got {len(cells)}",
                                          row=number, image=cells[at] if at is not None and at < len(cells) else None))
                continue
            else:
                row = dict(zip(header, cells, strict=True))
            if header is None:
                header = list(row)
                if not check_columns(path, header, required, problems):
                    return
            count += 1
            if keep is not None and not keep(row):
                continue
            empty = [c for c in required if _missing(row.get(c))]
            if empty:
                image = row.get(image_column) if image_column else None
                problems.report(DataError(path, "missing value: empty", row=number, field=empty[0],
                                          image=None if _missing(image) else str(image)))
                continue
            yield number, row
    except DataError:
        raise
    except (UnicodeDecodeError, ValueError, csv.Error, OSError) as exc:
        problems.report(DataError(path, f"unreadable file: {exc}"))
        return
    if count == 0:
        problems.report(DataError(path, "empty file: no rows" if header is None else "empty file: header only, no rows"))


def _rows(path: Path, delimiter: str) -> Iterator[tuple[int, Any]]:
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        return _json_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    return _csv_rows(path, "\t" if suffix == ".tsv" else delimiter)


def read_lines(path: Path, problems: Problems, columns: int, image_at: int | None = 0) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, fields)`` from a whitespace-separated text file with ``columns`` fields a line.

    Reports a missing or empty file and lines with the wrong number of fields (skipped; the
    problem names the line's image, field ``image_at``, when the line has it).
    """
    if not _exists(path, problems):
        return
    seen = False
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                fields = line.split()
                if not fields:
                    continue
                seen = True
                if len(fields) != columns:
                    image = fields[image_at] if image_at is not None and image_at < len(fields) else None
                    problems.report(DataError(path, f"malformed row: expected {columns} fields, got {len(fields)}",
                                              row=number, image=image))
                    continue
                yield number, fields
    except (UnicodeDecodeError, OSError) as exc:
        problems.report(DataError(path, f"unreadable file: {exc}"))
        return
    if not seen:
        problems.report(DataError(path, "empty file: no rows"))


def read_json(path: Path, problems: Problems) -> Any:
    """The parsed JSON document, or None after reporting a missing, empty or invalid file."""
    if not _exists(path, problems):
        return None
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        problems.report(DataError(path, "empty file: no content"))
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.report(DataError(path, f"unreadable file: invalid JSON ({exc.msg})", row=exc.lineno))
        return None
    if not data:
        problems.report(DataError(path, "empty file: no entries"))
        return None
    return data
