"""load_dataset: read a file, detect (or check) its format, validate every record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from easytune.i18n import Joined, Msg
from easytune.training.data import error_messages as em
from easytune.training.data import messages as msg
from easytune.training.data.containers import RawRecord, read_container
from easytune.training.data.formats import (
    FORMATS,
    FormatHandler,
    RecordContext,
    format_summary,
    json_type,
)
from easytune.training.data.formats import nested_fields as _nested_fields
from easytune.training.data.kinds import (
    detect_kind,
    ignored_field_warnings,
    kind_of,
    media_part_warning,
)
from easytune.training.data.preference_files import KTO_FIELDS, PairFormat, labelled
from easytune.training.data.types import (
    TEXT_SOURCES,
    DataValidationError,
    ErrorSink,
    Example,
    LineError,
    LoadedDataset,
)

# Detection looks at this many records: enough to outvote a few odd ones, cheap on big files.
DETECT_SAMPLE = 200


def load_dataset(
    path: str | Path, format: str | None = None, *, max_errors: int = 1000
) -> LoadedDataset:
    """Read and validate a dataset file; raise DataValidationError listing every bad line."""
    path = Path(path)
    handler = _handler(format)
    sink = ErrorSink(max_errors)
    raw = path.read_bytes()
    if not raw.strip():
        sink.add("line", 0, "", em.EMPTY_FILE(), em.UPLOAD_RECORDS())
        sink.raise_if_any()
    container = read_container(path, raw, sink, _nested_fields())
    records = container.records
    notes = [msg.READ_AS(source=container.source), *container.notes]
    kind = None
    if container.source in TEXT_SOURCES:
        handler = _text_only(handler, container.source, notes)
    else:
        kind = _kind(records, notes)
    if kind == "preference":
        handler = PairFormat(records[0].data if records else {})
    elif handler is None and records:
        handler = _detect(records, sink, notes)
    dropped: Counter[str] = Counter()
    examples = _parse_all(records, handler, sink, dropped, kind) if handler else []
    if not examples and not sink.errors:
        sink.add("line", 0, "", em.NO_RECORDS(), em.ADD_EXAMPLE())
    sink.raise_if_any()
    assert handler is not None  # no records and no errors was reported just above
    known = handler.fields | (KTO_FIELDS if kind == "kto" else frozenset())
    warnings = ignored_field_warnings([r.data for r in records], known)
    loaded = LoadedDataset(handler.name, examples, container.source, format is None, notes)
    loaded.warnings = [*container.warnings, *warnings, *media_part_warning(dropped)]
    loaded.kind = kind_of(examples)
    return loaded


def _kind(records: list[RawRecord], notes: list[Msg]) -> str | None:
    """`preference` or `kto` when most records are pairs or labelled answers (noted), else None."""
    found = detect_kind([r.data for r in records[:DETECT_SAMPLE]])
    if found is None:
        return None
    notes.append(found[1])
    return found[0].name


def _handler(format: str | None) -> FormatHandler | None:
    if format is None:
        return None
    if format not in FORMATS:
        raise ValueError(
            f"unknown dataset format '{format}'; choose one of {', '.join(FORMATS)} "
            "or leave it out to detect it"
        )
    return FORMATS[format]


def _text_only(handler: FormatHandler | None, source: str, notes: list[Msg]) -> FormatHandler:
    if handler is not None and handler.name != "text":
        raise ValueError(
            f"a .{source} file holds plain text, not '{handler.name}' records; use "
            "format 'text' or save the records as JSONL"
        )
    notes.append(msg.TEXT_CORPUS(source=source))
    return FORMATS["text"]


def detect_format(records: Sequence[Any]) -> tuple[str, Msg]:
    """Name the format whose identifying keys most of the (first) records have, and say why.

    Raises DataValidationError when no format's keys appear at all.
    """
    sample = [r for r in records[:DETECT_SAMPLE] if isinstance(r, dict)]
    votes = Counter(
        {name: sum(1 for d in sample if h.signature & d.keys()) for name, h in FORMATS.items()}
    )
    best = max(FORMATS, key=lambda name: votes[name])  # FORMATS order breaks ties
    if votes[best] == 0:
        _no_format(sample)
    keys = "/".join(f"'{k}'" for k in sorted(FORMATS[best].signature))
    why = msg.DETECTED(
        format=best, summary=format_summary(best), votes=votes[best], checked=len(sample), keys=keys
    )
    return best, why


def _no_format(sample: list[dict[str, Any]]) -> NoReturn:
    seen = sorted({k for d in sample for k in d})[:12]
    known = [em.FORMAT_ENTRY(format=name, summary=format_summary(name)) for name in FORMATS]
    fix = em.USE_FORMAT(formats=Joined(tuple(known)))
    detail = em.located("line", 0, em.NO_FORMAT(keys=str(seen)), fix)
    raise DataValidationError([LineError.coded(0, "", detail)])


def _detect(records: list[RawRecord], sink: ErrorSink, notes: list[Msg]) -> FormatHandler:
    try:
        name, why = detect_format([r.data for r in records])
    except DataValidationError as exc:  # keep the problems found so far in the same report
        raise DataValidationError([*sink.errors, *exc.errors], sink.truncated) from None
    notes.append(why)
    return FORMATS[name]


def _parse_all(
    records: list[RawRecord],
    handler: FormatHandler,
    sink: ErrorSink,
    dropped: Counter[str],
    kind: str | None = None,
) -> list[Example]:
    examples = []
    for record in records:
        if sink.full:
            sink.truncated = True
            break
        if record.broken:
            continue
        ctx = RecordContext(record.line, record.unit, sink, dropped=dropped)
        if not isinstance(record.data, dict):
            needs = em.NEEDS_FIELDS(format=handler.name, summary=_summary(handler))
            ctx.error("", em.NOT_OBJECT(type=json_type(record.data)), needs)
            continue
        example = handler.parse(record.data, ctx)
        if example is not None and kind == "kto":
            example = labelled(example, record.data, ctx)
        if example is not None:
            examples.append(example)
    return examples


def _summary(handler: FormatHandler) -> Msg:
    """The fields a record of `handler` needs, coded (a preference file's are its own)."""
    return msg.PAIR_SUMMARY() if isinstance(handler, PairFormat) else format_summary(handler.name)
