"""Parse the training child's JSON lines (event, metric, result, error) into typed items.

Anything that is not one of those (a stray print, a traceback, half a line) becomes a log
item: kept as an event so the user sees it, never an exception in the worker.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from easytune.db.models.jobs import EventLevel
from easytune.i18n import Msg

MAX_MESSAGE_CHARS = 4000
METRIC_COLUMNS = ("epoch", "loss", "eval_loss", "lr", "tokens_per_s", "cf_score")
# Keys of a metric line that describe it rather than measure something.
_METRIC_META = frozenset({"type", "step", "kind"})
_EVAL_ONLY = frozenset({"eval_loss", "cf_score"})


@dataclass(frozen=True)
class EventItem:
    level: EventLevel
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    code: str | None = None  # the message's code and params (easytune.i18n), when coded
    params: dict[str, Any] | None = None

    @classmethod
    def of(cls, level: EventLevel, message: Msg, **data: Any) -> EventItem:
        """An event from a coded message (English text, code and params)."""
        coded = message.to_dict()
        return cls(level, message.render("en"), data, coded["code"], coded["params"])

    def coded(self) -> Msg | None:
        return Msg(self.code, self.params or {}) if self.code else None


@dataclass(frozen=True)
class MetricItem:
    step: int
    kind: str
    values: dict[str, float | None]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultItem:
    data: dict[str, Any]


@dataclass(frozen=True)
class ErrorItem:
    code: str
    message: str
    param: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "param": self.param}


ProgressItem = EventItem | MetricItem | ResultItem | ErrorItem


@dataclass(frozen=True)
class SourcedEvent:
    """An event read from a child, keyed by where it came from so a replay is a no-op."""

    source: str
    item: EventItem


def parse_line(line: str) -> ProgressItem:
    """One stdout line -> an item; lines that are not valid progress become log events."""
    text = line.rstrip("\r\n")
    try:
        record = json.loads(text)
    except ValueError:
        return _log(text, "not JSON")
    if not isinstance(record, dict):
        return _log(text, "not a JSON object")
    parser = _PARSERS.get(str(record.get("type")))
    if parser is None:
        return _log(text, "unknown type")
    try:
        return parser(record)
    except (TypeError, ValueError) as exc:
        return _log(text, f"invalid {record.get('type')} line: {exc}")


def _log(text: str, why: str) -> EventItem:
    return EventItem(EventLevel.INFO, _clip(text), {"kind": "log", "why": why})


def _parse_event(record: Mapping[str, Any]) -> EventItem:
    level = EventLevel(record.get("level", "info"))
    data = record.get("data") or {}
    if not isinstance(data, dict):
        raise ValueError("data must be an object")
    code, params = record.get("code"), record.get("params")
    coded = isinstance(code, str) and isinstance(params, dict)
    return EventItem(
        level,
        _clip(str(record.get("message", ""))),
        _finite_json(data),
        str(code)[:64] if coded else None,
        _finite_json(params) if coded else None,
    )


def _parse_metric(record: Mapping[str, Any]) -> MetricItem:
    step = record.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"step must be a non-negative integer, got {step!r}")
    values = {name: _number(record.get(name)) for name in METRIC_COLUMNS}
    extra = {k: v for k, v in record.items() if k not in _METRIC_META and k not in values}
    extra.update({k: _text_number(record[k]) for k in METRIC_COLUMNS if _non_finite(record.get(k))})
    return MetricItem(step, _metric_kind(record), values, _finite_json(extra))


def _metric_kind(record: Mapping[str, Any]) -> str:
    # The engine may log eval numbers on their own line at a step that also has a train line.
    if "kind" in record:
        return str(record["kind"])[:16]
    measured = {name for name in METRIC_COLUMNS if record.get(name) is not None} - {"epoch"}
    return "eval" if measured and measured <= _EVAL_ONLY else "train"


def _parse_result(record: Mapping[str, Any]) -> ResultItem:
    return ResultItem(_finite_json({k: v for k, v in record.items() if k != "type"}))


def _parse_error(record: Mapping[str, Any]) -> ErrorItem:
    param = record.get("param")
    return ErrorItem(
        code=str(record.get("code") or "training_error")[:64],
        message=_clip(str(record.get("message") or "the training engine reported an error")),
        param=None if param is None else str(param),
    )


_PARSERS: dict[str, Callable[[Mapping[str, Any]], ProgressItem]] = {
    "event": _parse_event,
    "metric": _parse_metric,
    "result": _parse_result,
    "error": _parse_error,
}


def _number(value: Any) -> float | None:
    """A finite float, or None (NaN/inf are kept as text in `extra`: no database stores both)."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _text_number(value: float) -> str:
    return str(value)  # "nan", "inf", "-inf"


def _finite_json(value: Any) -> Any:
    """Replace NaN/inf anywhere in a JSON value by text; PostgreSQL's JSON refuses them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_json(v) for v in value]
    return value


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"
