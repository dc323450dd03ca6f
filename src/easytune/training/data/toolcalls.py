"""Tool-calling records: the tools offered, the assistant's calls and the tools' results.

Two shapes are read: OpenAI chat (a `tools` list, assistant `tool_calls`, `tool` role turns)
and LLaMA-Factory's ShareGPT (a `tools` JSON string, `function_call` turns whose value is the
call as JSON, `observation` turns). Both become ToolCall tuples on assistant messages, `tool`
messages and the tools as a JSON list in OpenAI's shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from easytune.training.data import error_messages as em
from easytune.training.data.types import Message, ToolCall

if TYPE_CHECKING:
    from easytune.training.data.formats import RecordContext

CALL_ROLES = frozenset({"function_call", "tool_call", "tool_calls"})
RESULT_ROLES = frozenset({"tool", "observation", "function", "ipython", "tool_response"})
_CALL_SHAPE = '{"name": "get_weather", "arguments": {"city": "Paris"}}'


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def parse_tools(record: Mapping[str, Any], ctx: RecordContext) -> str | None:
    """The record's `tools` as a JSON list of {"type": "function", "function": {...}}."""
    if "tools" not in record or record["tools"] in ("", None, []):
        return None
    tools = _decoded(record["tools"])
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        ctx.error("tools", em.TOOLS_NOT_LIST())
        return None
    wrapped = [t if t.get("type") == "function" else {"type": "function", "function": t}
               for t in tools]  # fmt: skip
    if not all(isinstance(t.get("function"), dict) and t["function"].get("name") for t in wrapped):
        ctx.error("tools", em.TOOL_NO_NAME())
        return None
    return json.dumps(wrapped, ensure_ascii=False)


def calls_from_value(
    n: int, value: Any, field: str, ctx: RecordContext
) -> tuple[ToolCall, ...] | None:
    """A ShareGPT `function_call` turn's value: one call, or a list of calls, as JSON."""
    calls = _decoded(value)
    items = calls if isinstance(calls, list) else [calls]
    return _calls(n, items, field, ctx)


def calls_from_openai(
    n: int, value: Any, field: str, ctx: RecordContext
) -> tuple[ToolCall, ...] | None:
    """An OpenAI assistant turn's `tool_calls` list."""
    if not isinstance(value, list) or not value:
        ctx.error(field, em.CALLS_NOT_LIST(turn=n))
        return None
    return _calls(n, value, field, ctx)


def _calls(n: int, items: list[Any], field: str, ctx: RecordContext) -> tuple[ToolCall, ...] | None:
    calls = [_call(n, item, field, ctx) for item in items]
    return None if any(c is None for c in calls) else tuple(c for c in calls if c is not None)


def _call(n: int, item: Any, field: str, ctx: RecordContext) -> ToolCall | None:
    body = item.get("function", item) if isinstance(item, dict) else None
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(name, str) or not name:
        ctx.error(field, em.CALL_NO_NAME(turn=n), em.WRITE_CALL(example=_CALL_SHAPE))
        return None
    arguments = _decoded(body.get("arguments", body.get("parameters", {})))
    if not isinstance(arguments, dict):
        problem = em.CALL_ARGUMENTS(turn=n, name=name)
        ctx.error(field, problem, em.WRITE_ARGUMENTS(example=_CALL_SHAPE))
        return None
    return ToolCall(name, json.dumps(arguments, ensure_ascii=False))


def check_tool_order(messages: tuple[Message, ...], field: str, ctx: RecordContext) -> None:
    """A tool result must answer a call: it follows an assistant call or another result."""
    for n, (before, message) in enumerate(zip((None, *messages), messages, strict=False), 1):
        answered = before is not None and (before.tool_calls or before.role == "tool")
        if message.role == "tool" and not answered:
            ctx.error(field, em.RESULT_WITHOUT_CALL(turn=n), em.CALL_FIRST())


def openai_message(message: Message) -> dict[str, Any]:
    """A message as chat templates expect it (tool call arguments as objects)."""
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {"type": "function",
             "function": {"name": c.name, "arguments": json.loads(c.arguments)}}
            for c in message.tool_calls
        ]  # fmt: skip
    return out
