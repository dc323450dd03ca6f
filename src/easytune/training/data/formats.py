"""Dataset formats: one handler object per format, registered by name in FORMATS.

A handler knows the keys that identify its records (for detection) and turns one raw record
into a normalised Example, reporting every problem it finds with the fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Protocol

from easytune.i18n import Msg, Template
from easytune.training.data import error_messages as em
from easytune.training.data.kinds import MEDIA_PARTS
from easytune.training.data.messages import FORMAT_SUMMARY
from easytune.training.data.toolcalls import (
    CALL_ROLES,
    RESULT_ROLES,
    calls_from_openai,
    calls_from_value,
    check_tool_order,
    parse_tools,
)
from easytune.training.data.types import ErrorSink, Example, Message, Role

ROLE_ALIASES: dict[str, Role] = {
    "system": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "model": "assistant",
    "bot": "assistant",
    "chatgpt": "assistant",
}
_TEXT_PART = '{"type": "text", "text": "..."}'
_JSON_TYPES = {
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
    type(None): "null",
}


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for error messages."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


@dataclass
class RecordContext:
    """Where a record came from, and where its problems go."""

    line: int
    unit: str
    sink: ErrorSink
    failed: bool = False
    # Media content parts dropped from turns, by type (shared by all records of a file).
    dropped: Counter[str] = dc_field(default_factory=Counter)

    def error(self, field: str, problem: Msg, fix: Msg | None = None) -> None:
        """Report what is wrong with ``field`` (coded, data/error_messages.py) and the fix."""
        self.failed = True
        self.sink.add(self.unit, self.line, field, problem, fix)


class FormatHandler(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str:
        """The fields a record needs, for messages and the UI."""
        ...

    @property
    def signature(self) -> frozenset[str]:
        """Keys whose presence identifies this format (for detection)."""
        ...

    @property
    def nested_fields(self) -> frozenset[str]:
        """List-valued fields (JSON-encoded when they sit in CSV cells)."""
        ...

    @property
    def fields(self) -> frozenset[str]:
        """Every top-level key training reads; others are reported as ignored."""
        ...

    def parse(self, record: Mapping[str, Any], ctx: RecordContext) -> Example | None:
        """Return the normalised example, or None after reporting its problems to ``ctx``."""
        ...


def _string(
    record: Mapping[str, Any], field: str, ctx: RecordContext, need: Msg, required: bool = True
) -> str | None:
    """A string field: reports missing (if required), wrong type and empty (if required)."""
    if field not in record:
        if required:
            ctx.error(field, em.MISSING_FIELD(field=field), need)
        return None
    value = record[field]
    if not isinstance(value, str):
        ctx.error(field, em.NOT_STRING(field=field, type=json_type(value)), need)
        return None
    if required and not value.strip():
        ctx.error(field, em.EMPTY_FIELD(field=field), em.WRITE_OR_REMOVE())
        return None
    return value if value.strip() else None


def _optional(record: Mapping[str, Any], field: str, ctx: RecordContext) -> str | None:
    """An optional text field (Alpaca's 'input', a 'system' prompt)."""
    return _string(record, field, ctx, em.OPTIONAL_TEXT(field=field), required=False)


class AlpacaFormat:
    name = "alpaca"
    summary = "instruction, optional input, output, optional system"
    signature = frozenset({"instruction", "output"})
    nested_fields = frozenset({"history"})
    fields = frozenset({"instruction", "input", "output", "system", "history"})

    def parse(self, record: Mapping[str, Any], ctx: RecordContext) -> Example | None:
        instruction = _string(record, "instruction", ctx, em.NEEDS_ALPACA())
        output = _string(record, "output", ctx, em.NEEDS_ALPACA())
        extra = _optional(record, "input", ctx)
        system = _optional(record, "system", ctx)
        history = _history(record.get("history"), ctx)
        if ctx.failed or instruction is None or output is None:
            return None
        prompt = f"{instruction}\n\n{extra}" if extra else instruction
        head = (Message("system", system),) if system else ()
        turns = (Message("user", prompt), Message("assistant", output))
        return Example(ctx.line, messages=(*head, *history, *turns))


def _history(value: Any, ctx: RecordContext) -> tuple[Message, ...]:
    # LLaMA-Factory's Alpaca variant: earlier turns as [[user, assistant], ...].
    if value is None:
        return ()
    pairs_ok = isinstance(value, list) and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s.strip() for s in p)
        for p in value
    )
    if not pairs_ok:
        ctx.error("history", em.HISTORY(), em.FIX_OR_REMOVE())
        return ()
    return tuple(
        m for user, reply in value for m in (Message("user", user), Message("assistant", reply))
    )


@dataclass(frozen=True)
class ChatFormat:
    """A list of turns under one key (ShareGPT ``conversations``, OpenAI ``messages``)."""

    name: str
    summary: str
    field: str
    role_key: str
    content_key: str
    roles_hint: Template  # the roles a turn may have, said as a fix
    extra_fields: frozenset[str] = frozenset()

    @property
    def signature(self) -> frozenset[str]:
        return frozenset({self.field})

    @property
    def fields(self) -> frozenset[str]:
        return frozenset({self.field}) | self.extra_fields

    @property
    def nested_fields(self) -> frozenset[str]:
        return frozenset({self.field})

    def parse(self, record: Mapping[str, Any], ctx: RecordContext) -> Example | None:
        need = em.NEEDS_TURNS(format=self.name, field=self.field, summary=format_summary(self.name))
        if self.field not in record:
            ctx.error(self.field, em.MISSING_FIELD(field=self.field), need)
            return None
        turns = record[self.field]
        if not isinstance(turns, list) or not turns:
            problem = (
                em.EMPTY_TURNS(field=self.field)
                if turns == []
                else em.NOT_TURNS(field=self.field, got=json_type(turns))
            )
            ctx.error(self.field, problem, need)
            return None
        messages = [self._turn(n, turn, ctx) for n, turn in enumerate(turns, 1)]
        system = _optional(record, "system", ctx) if "system" in self.extra_fields else None
        if ctx.failed:
            return None
        parsed = tuple(m for m in messages if m is not None)
        if system and parsed[0].role != "system":
            parsed = (Message("system", system), *parsed)  # LLaMA-Factory's ShareGPT 'system'
        _check_conversation(parsed, self.field, ctx)
        tools = parse_tools(record, ctx)
        return None if ctx.failed else Example(ctx.line, messages=parsed, tools=tools)

    def _turn(self, n: int, turn: Any, ctx: RecordContext) -> Message | None:
        if not isinstance(turn, dict):
            problem = em.TURN_NOT_OBJECT(
                turn=n, role_key=self.role_key, content_key=self.content_key, type=json_type(turn)
            )
            ctx.error(self.field, problem)
            return None
        raw = _first(turn, self.role_key, "role", "from")
        name = str(raw).strip().lower() if raw is not None else ""
        if name in CALL_ROLES:  # ShareGPT: the call itself is the turn's value
            value = _first(turn, self.content_key, "content", "value")
            calls = calls_from_value(n, value, self.field, ctx)
            return Message("assistant", "", calls) if calls else None
        role = "tool" if name in RESULT_ROLES else self._role(n, raw, ctx)
        if role == "assistant" and turn.get("tool_calls"):
            return self._call_turn(n, turn, ctx)
        content = self._content(n, turn, ctx) if role else None
        return Message(role, content) if role and content is not None else None

    def _call_turn(self, n: int, turn: Mapping[str, Any], ctx: RecordContext) -> Message | None:
        # OpenAI: content is usually null next to tool_calls; any text is kept and trained.
        calls = calls_from_openai(n, turn["tool_calls"], self.field, ctx)
        value = turn.get("content")
        text = _text_parts(n, value, self.field, ctx) if isinstance(value, list) else value
        if text is not None and not isinstance(text, str):
            ctx.error(self.field, em.TURN_CONTENT_TYPE(turn=n, type=json_type(text), key="content"))
            return None
        return Message("assistant", text or "", calls) if calls else None

    def _role(self, n: int, raw: Any, ctx: RecordContext) -> Role | None:
        if raw is None:
            ctx.error(self.field, em.TURN_NO_KEY(turn=n, key=self.role_key), self.roles_hint())
            return None
        name = str(raw).strip().lower()
        if name not in ROLE_ALIASES:
            ctx.error(self.field, em.TURN_UNKNOWN_ROLE(turn=n, role=raw), self.roles_hint())
            return None
        return ROLE_ALIASES[name]

    def _content(self, n: int, turn: Mapping[str, Any], ctx: RecordContext) -> str | None:
        value = _first(turn, self.content_key, "content", "value")
        if isinstance(value, list):
            value = _text_parts(n, value, self.field, ctx)
            if value is None:
                return None
        key = self.content_key
        if not isinstance(value, str):
            problem = (
                em.TURN_NO_KEY(turn=n, key=key)
                if value is None
                else em.TURN_CONTENT_TYPE(turn=n, type=json_type(value), key=key)
            )
            ctx.error(self.field, problem, em.TEXT_AS_STRING())
            return None
        if not value.strip():
            ctx.error(self.field, em.TURN_EMPTY(turn=n, key=key), em.WRITE_OR_REMOVE_TURN())
            return None
        return value


def _first(turn: Mapping[str, Any], *keys: str) -> Any:
    # Tolerate the other convention's keys (ShareGPT data saved with role/content and back).
    return next((turn[k] for k in keys if k in turn), None)


def _text_parts(n: int, parts: list[Any], field: str, ctx: RecordContext) -> str | None:
    # OpenAI's content-parts form: [{"type": "text", "text": ...}, ...]. Text parts are kept,
    # media parts dropped (and counted for a warning), anything else named with its key.
    texts = []
    for k, part in enumerate(parts, 1):
        text = _part_text(n, k, part, field, ctx)
        if text is None and ctx.failed:
            return None
        texts.append(text or "")
    if not any(texts) and parts:
        ctx.error(field, em.ONLY_MEDIA(turn=n), em.ADD_TEXT_PART())
        return None
    return "".join(texts)


def _part_text(n: int, k: int, part: Any, field: str, ctx: RecordContext) -> str | None:
    if not isinstance(part, dict):
        problem = em.PART_NOT_OBJECT(turn=n, part=k, example=_TEXT_PART, type=json_type(part))
        ctx.error(field, problem)
        return None
    kind = part.get("type", "text" if "text" in part else None)
    if kind in MEDIA_PARTS:
        ctx.dropped[str(kind)] += 1
        return None
    if kind != "text":
        problem = em.PART_TYPE(turn=n, part=k, kind=repr(kind))
        ctx.error(field, problem, em.TEXT_PARTS_LOOK(example=_TEXT_PART))
        return None
    text = part.get("text")
    if not isinstance(text, str):
        keys = ", ".join(repr(key) for key in part)
        has = (
            em.PART_HAS_TYPE(type=json_type(text))
            if "text" in part
            else em.PART_HAS_KEYS(keys=keys)
        )
        problem = em.PART_NO_TEXT(turn=n, part=k, has=has)
        ctx.error(field, problem, em.TEXT_UNDER_TEXT(example=_TEXT_PART))
        return None
    return text


def _check_conversation(messages: tuple[Message, ...], field: str, ctx: RecordContext) -> None:
    check_tool_order(messages, field, ctx)
    for n, message in enumerate(messages[1:], 2):
        if message.role == "system":
            ctx.error(field, em.LATE_SYSTEM(turn=n), em.SYSTEM_FIRST())
    if not any(m.role == "assistant" for m in messages):
        ctx.error(field, em.NO_ASSISTANT(), em.NEEDS_ASSISTANT())


class TextFormat:
    name = "text"
    summary = "text"
    signature = frozenset({"text"})
    fields = frozenset({"text"})
    nested_fields: frozenset[str] = frozenset()

    def parse(self, record: Mapping[str, Any], ctx: RecordContext) -> Example | None:
        text = _string(record, "text", ctx, em.NEEDS_TEXT())
        return None if text is None else Example(ctx.line, text=text)


NO_SUMMARY = Template("", "")


def _registry(*handlers: FormatHandler) -> dict[str, FormatHandler]:
    names = [h.name for h in handlers]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate format names in {names}")
    for h in handlers:  # each summary is a coded message too (translated in zh.json)
        if FORMAT_SUMMARY.get(h.name, NO_SUMMARY).english != h.summary:
            raise ValueError(f"format {h.name!r}: add its summary to data/messages.py")
    return {h.name: h for h in handlers}


def format_summary(name: str) -> Msg:
    """The fields a record of format `name` needs, as a coded message."""
    return FORMAT_SUMMARY[name]()


# Order matters for detection ties: chat formats win over 'text' (some datasets keep a
# pre-rendered 'text' next to 'messages').
FORMATS: dict[str, FormatHandler] = _registry(
    ChatFormat(
        "openai",
        "role: system|user|assistant, content",
        "messages",
        "role",
        "content",
        em.ROLES["openai"],
        frozenset({"tools"}),
    ),
    ChatFormat(
        "sharegpt",
        "from: system|human|gpt, value",
        "conversations",
        "from",
        "value",
        em.ROLES["sharegpt"],
        frozenset({"system", "tools"}),
    ),
    AlpacaFormat(),
    TextFormat(),
)


def nested_fields() -> frozenset[str]:
    """Every list-valued field of every format (CSV cells holding these are JSON)."""
    return frozenset().union(*(h.nested_fields for h in FORMATS.values()))
