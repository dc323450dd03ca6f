"""Structured logging: one JSON object per line, with request and job context merged in.

Call `configure_logging` once at process start (CLI, `easytune serve`, the worker). Add context
with `log_context(job_id=...)` (scoped) or `bind_log_fields(user_id=...)` (for the rest of the
current request); every line logged meanwhile carries those keys.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

# A mutable dict per context: `bind_log_fields` updates it in place so that fields bound deep
# inside a request (even in a worker thread, whose context is a copy) reach the access line.
_fields: ContextVar[dict[str, Any] | None] = ContextVar("easytune_log_fields", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
# uvicorn's color_message repeats the message with terminal colour codes: dropped too.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}

_HANDLER_NAME = "easytune"


def current_log_fields() -> dict[str, Any]:
    """A copy of the context fields that the next log line would carry."""
    return dict(_fields.get() or {})


@contextmanager
def log_context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Add fields to every log line inside the block (nested blocks merge, inner wins)."""
    merged = {**(_fields.get() or {}), **fields}
    token = _fields.set(merged)
    try:
        yield merged
    finally:
        _fields.reset(token)


def bind_log_fields(**fields: Any) -> None:
    """Add fields to the current `log_context` block (e.g. the request), until it ends."""
    current = _fields.get()
    if current is None:
        # Outside any block: start one for this context so the fields are not silently lost.
        _fields.set(dict(fields))
    else:
        current.update(fields)


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """Context fields plus the record's `extra=` keys (extra wins on a clash)."""
    extra = {k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRS}
    return {**(_fields.get() or {}), **extra}


class ContextFilter(logging.Filter):
    """Stamps the context fields onto the record when it is emitted (before any queueing)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_fields.get() or {}).items():
            if key not in record.__dict__:
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, then the extra keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": _iso_utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Human-readable lines for development: the same keys, as `key=value` after the message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = record_fields(record)
        if not fields:
            return line
        tail = " ".join(f"{k}={v}" for k, v in fields.items())
        head, sep, rest = line.partition("\n")  # keep a traceback below the fields
        return f"{head} {tail}{sep}{rest}"


def configure_logging(
    level: int | str = "INFO", *, json: bool = True, stream: TextIO | None = None
) -> logging.Handler:
    """Route all logging (ours, uvicorn's, libraries') through one handler on the root logger.

    Idempotent: a second call replaces the handler it installed before. Returns the handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    _adopt_uvicorn_loggers()
    return handler


def _adopt_uvicorn_loggers() -> None:
    # uvicorn installs its own handlers; send its lines through ours instead. Its access log is
    # silenced because the request-id middleware writes a richer one (route, duration, id).
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def _iso_utc(created: float) -> str:
    return datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="milliseconds")
