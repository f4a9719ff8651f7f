"""Records <-> Arrow-backed ``datasets.Dataset`` for large sources (AVA's 255K rows and up).

Every :class:`Record` field becomes a column; the free-form dicts (``attributes``, ``aspects``, ``meta``,
``messages``) are stored as JSON strings since their keys vary between sources. With a
``cache_dir`` the table is written batch by batch to ``records-<content hash>.arrow`` and
memory-mapped back, so the rows live on disk, not in RAM.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa

from .schema import Record

_strings = pa.list_(pa.string())
_floats = pa.list_(pa.float64())
SCHEMA = pa.schema([
    ("id", pa.string()), ("source", pa.string()), ("images", _strings), ("score", pa.float64()),
    ("score_range", _floats), ("histogram", _floats), ("histogram_kind", pa.string()), ("comments", _strings),
    ("aspects", pa.string()), ("attributes", pa.string()),
    ("tags", _strings), ("user_id", pa.string()), ("messages", pa.string()), ("split", pa.string()),
    ("meta", pa.string()),
])
JSON_FIELDS = ("attributes", "aspects", "messages", "meta")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False) if value else ("{}" if isinstance(value, dict) else "[]")


def records_to_batch(records: list[Record]) -> pa.RecordBatch:
    """Records as one Arrow batch, built column by column."""
    columns = {name: [getattr(r, name) for r in records] for name in SCHEMA.names}
    for name in JSON_FIELDS:
        columns[name] = [_json(v) for v in columns[name]]
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def row_to_record(row: dict[str, Any]) -> Record:
    """A record from one dataset row (the inverse of :func:`records_to_batch`)."""
    data = dict(row)
    for name in JSON_FIELDS:
        data[name] = None if data[name] is None else json.loads(data[name])
    return Record.from_dict(data)


def _batches(records: Iterable[Record], batch_size: int) -> Iterator[pa.RecordBatch]:
    iterator = iter(records)
    while chunk := list(islice(iterator, batch_size)):
        yield records_to_batch(chunk)


def records_to_dataset(records: Iterable[Record], cache_dir: str | Path | None = None,
                       batch_size: int = 10_000) -> datasets.Dataset:
    """An Arrow-backed dataset of ``records``: memory-mapped from ``cache_dir`` when given.

    ``records`` may be any iterable (a generator keeps peak memory at one batch).
    """
    if cache_dir is None:
        table = pa.Table.from_batches(list(_batches(records, batch_size)), schema=SCHEMA)
        return datasets.Dataset(datasets.table.InMemoryTable(table))
    cache = Path(cache_dir).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temp = tempfile.mkstemp(prefix="records-", suffix=".tmp", dir=cache)
    os.close(handle)
    try:
        with pa.OSFile(temp, "wb") as sink, pa.ipc.new_stream(sink, SCHEMA) as writer:
            for batch in _batches(records, batch_size):
                digest.update(batch.serialize())
                writer.write_batch(batch)
        final = cache / f"records-{digest.hexdigest()[:16]}.arrow"
        os.replace(temp, final)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return datasets.Dataset.from_file(str(final))


def dataset_to_records(dataset: datasets.Dataset, batch_size: int = 10_000) -> list[Record]:
    """The records of an Arrow dataset made by :func:`records_to_dataset`."""
    return list(iter_records(dataset, batch_size))


def iter_records(dataset: datasets.Dataset, batch_size: int = 10_000) -> Iterator[Record]:
    """Stream the records of ``dataset`` batch by batch (honours ``select``/``shuffle``)."""
    for batch in dataset.iter(batch_size=batch_size):
        names = list(batch)
        for values in zip(*(batch[n] for n in names), strict=True):
            yield row_to_record(dict(zip(names, values, strict=True)))
