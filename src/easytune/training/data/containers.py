"""Containers: turn the bytes of a JSON, JSONL, CSV or Parquet file into raw records.

Text, Markdown and zip files are read by textfiles.py (registered in the same table).

Each reader reports every problem it can find (bad bytes, bad JSON, ragged rows) to an
ErrorSink and keeps going, so the user sees all of them in one pass.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from easytune.i18n import Msg
from easytune.training.data import error_messages as em
from easytune.training.data import messages as msg
from easytune.training.data.types import DataValidationError, ErrorSink, SourceFormat

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RawRecord:
    """One record as read from the file, before any format validation."""

    line: int  # 1-based line, record or row number, as ``unit`` says
    unit: str
    data: Any
    broken: bool = False  # already reported (e.g. a bad JSON cell): detect from it, skip it


@dataclass
class ContainerResult:
    source: SourceFormat
    records: list[RawRecord]
    notes: list[Msg] = field(default_factory=list)
    warnings: list[Msg] = field(default_factory=list)


Reader = Callable[[bytes, ErrorSink, frozenset[str]], ContainerResult]


def decode_utf8(raw: bytes, sink: ErrorSink) -> str:
    """Decode ``raw`` as UTF-8, reporting each line with invalid bytes (offset and line)."""
    raw = raw.removeprefix(_BOM)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    hint = _encoding_hint(raw)
    reported: set[int] = set()
    for offset in _bad_utf8_offsets(raw):
        line = raw.count(b"\n", 0, offset) + 1
        if line not in reported:
            reported.add(line)
            problem = em.NOT_UTF8(byte=f"0x{raw[offset]:02x}", offset=offset)
            sink.add("line", line, "", problem, hint)
    return raw.decode("utf-8", errors="replace")


def _bad_utf8_offsets(raw: bytes) -> Iterable[int]:
    start = 0
    while start < len(raw):
        try:
            raw[start:].decode("utf-8")
            return
        except UnicodeDecodeError as exc:
            yield start + exc.start
            start += exc.end


def _encoding_hint(raw: bytes) -> Msg:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return em.RESAVE_UTF8()
    return em.LOOKS_GBK()


def _read_json(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    return _json_from_text(decode_utf8(raw, sink), sink)


def _json_from_text(text: str, sink: ErrorSink) -> ContainerResult:
    if _looks_like_jsonl(text):
        result = _jsonl_from_text(text, sink)
        result.notes.append(msg.JSON_IS_JSONL())
        return result
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        sink.add("line", exc.lineno, "", _bad_json(exc), em.JSON_SYNTAX())
        return ContainerResult("json", [])
    records, notes = _records_of(value, sink)
    return ContainerResult(
        "json", [RawRecord(i, "record", r) for i, r in enumerate(records, 1)], notes
    )


def _looks_like_jsonl(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except json.JSONDecodeError:
        return False


def _records_of(value: Any, sink: ErrorSink) -> tuple[list[Any], list[Msg]]:
    if isinstance(value, list):
        return value, []
    if isinstance(value, dict):
        if isinstance(value.get("data"), list):
            return value["data"], [msg.RECORDS_FROM(key="data")]
        lists = [k for k, v in value.items() if isinstance(v, list)]
        if len(lists) == 1:
            return value[lists[0]], [msg.RECORDS_FROM(key=lists[0])]
    problem = (
        em.NOT_ARRAY_OBJECT(keys=str(sorted(value)[:8]))
        if isinstance(value, dict)
        else em.NOT_ARRAY(got=type(value).__name__)
    )
    sink.add("line", 1, "", problem, em.WRAP_RECORDS())
    return [], []


def _read_jsonl(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    text = decode_utf8(raw, sink)
    if text.lstrip().startswith("["):
        result = _json_from_text(text, sink)
        result.notes.append(msg.JSONL_IS_JSON())
        return result
    return _jsonl_from_text(text, sink)


def _jsonl_from_text(text: str, sink: ErrorSink) -> ContainerResult:
    records: list[RawRecord] = []
    for number, line in enumerate(text.split("\n"), 1):
        if sink.full:
            break
        if not line.strip():
            continue
        try:
            records.append(RawRecord(number, "line", json.loads(line)))
        except json.JSONDecodeError as exc:
            sink.add("line", number, "", _bad_json(exc), em.JSONL_LINE())
    return ContainerResult("jsonl", records)


def _bad_json(exc: json.JSONDecodeError) -> Msg:
    return em.BAD_JSON(column=exc.colno, reason=em.json_reason(exc))


def _read_csv(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    text = decode_utf8(raw, sink)
    csv.field_size_limit(1 << 30)  # cells may hold whole conversations as JSON
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if not header or not any(cell.strip() for cell in header):
        return ContainerResult("csv", [])
    names = [cell.strip() for cell in header]
    records = []
    for number, row in enumerate(rows, 2):
        if sink.full:
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            problem = em.RAGGED_ROW(cells=len(row), columns=len(names))
            sink.add("row", number, "", problem, em.QUOTE_CELLS())
            continue
        errors = len(sink.errors)
        record = _csv_record(dict(zip(names, row, strict=True)), nested, number, sink)
        records.append(RawRecord(number, "row", record, broken=len(sink.errors) > errors))
    return ContainerResult("csv", records)


def _csv_record(
    cells: dict[str, str], nested: frozenset[str], number: int, sink: ErrorSink
) -> dict[str, Any]:
    # An empty cell is an absent field; list fields (messages, conversations) are JSON cells.
    record: dict[str, Any] = {}
    for name, cell in cells.items():
        if cell == "":
            continue
        if name in nested and cell.lstrip().startswith("["):
            try:
                record[name] = json.loads(cell)
            except json.JSONDecodeError as exc:
                problem = em.BAD_CELL(field=name, column=exc.colno, reason=em.json_reason(exc))
                sink.add("row", number, name, problem, em.CELL_JSON())
        record.setdefault(name, cell)
    return record


def _read_parquet(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(raw))
    except (pa.ArrowException, OSError) as exc:
        sink.add("record", 0, "", em.BAD_PARQUET(error=str(exc)), em.EXPORT_PARQUET())
        return ContainerResult("parquet", [])
    rows = table.to_pylist()
    records = [
        RawRecord(i, "record", {k: v for k, v in r.items() if v is not None})
        for i, r in enumerate(rows, 1)
    ]
    return ContainerResult("parquet", records)


CONTAINERS: dict[str, Reader] = {
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".csv": _read_csv,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
}


def _readers() -> dict[str, Reader]:
    from easytune.training.data.textfiles import TEXT_READERS  # it imports this module

    return {**CONTAINERS, **TEXT_READERS}


def read_container(
    path: Path, raw: bytes, sink: ErrorSink, nested: frozenset[str]
) -> ContainerResult:
    """Read ``raw`` with the reader for the file's suffix (or sniffed from its first bytes)."""
    readers = _readers()
    reader = readers.get(path.suffix.lower()) or _sniff(raw)
    if reader is None:
        kinds = ", ".join(sorted(readers))
        sink.add("line", 0, "", em.UNSUPPORTED(suffix=path.suffix), em.SAVE_AS(suffixes=kinds))
        raise DataValidationError(sink.errors)
    return reader(raw, sink, nested)


def _sniff(raw: bytes) -> Reader | None:
    if raw.startswith(b"PAR1"):
        return _read_parquet
    head = raw.removeprefix(_BOM).lstrip()[:1]
    return {b"[": _read_json, b"{": _read_json}.get(head)
