"""Render tool-calling chats for training and inference, and read calls back from answers.

With a tool-aware chat template (one that renders `tools`, assistant `tool_calls` and `tool`
turns, e.g. Qwen2.5's), the conversation goes through it as is; each assistant turn (its
text and calls, through end-of-turn) is located by rendering the conversation up to it, and
only those spans carry loss: tool results and the tool list are context.

Fallback, for templates that ignore tools: the Hermes/Qwen convention as plain text. The tools
are described in the system prompt, calls become `<tool_call>{"name": ..., "arguments": ...}
</tool_call>` in the assistant's text, results become user turns in `<tool_response>` tags.
`parse_tool_calls` reads that `<tool_call>` syntax (Qwen2.5, Hermes, and this fallback).
"""

from __future__ import annotations

import json
import re
import weakref
from typing import Any

from easytune.training.data.toolcalls import openai_message
from easytune.training.data.types import Example, Message, ToolCall

TOOLS_PROMPT = (
    "You can call these tools (JSON schemas):\n{tools}\n"
    "To call one, answer with <tool_call>\n"
    '{{"name": "<tool name>", "arguments": {{...}}}}\n</tool_call>; the result comes back in '
    "<tool_response></tool_response>."
)
_CALL_RE = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)
_PROBE_TOOL = "easytune_probe_tool"
_PROBE_ARG = "EASYTUNE_PROBE_ARGUMENT"
_PROBE_RESULT = "EASYTUNE_PROBE_RESULT"
_SUPPORT: weakref.WeakKeyDictionary[Any, tuple[str, bool]] = weakref.WeakKeyDictionary()


def supports_tools(tokenizer: Any) -> bool:
    """Whether the chat template renders the tool list, a call's arguments and a result."""
    template = str(getattr(tokenizer, "chat_template", "") or "")
    cached = _SUPPORT.get(tokenizer)
    if cached and cached[0] == template:
        return cached[1]
    schema = {"type": "function", "function": {"name": _PROBE_TOOL, "parameters": {}}}
    call = Message("assistant", "", (ToolCall(_PROBE_TOOL, json.dumps({"x": _PROBE_ARG})),))
    turns = [Message("user", "hi"), call, Message("tool", _PROBE_RESULT)]
    try:
        text = render([openai_message(m) for m in turns], tokenizer, [schema])
    except Exception:  # a template that cannot take these turns does not support tools
        text = ""
    ok = text.count(_PROBE_TOOL) >= 2 and _PROBE_ARG in text and _PROBE_RESULT in text
    _SUPPORT[tokenizer] = (template, ok)
    return ok


def render(
    messages: list[dict[str, Any]],
    tokenizer: Any,
    tools: list[dict[str, Any]] | None,
    generation_prompt: bool = False,
) -> str:
    """The chat template's text for these turns (and tools)."""
    return str(
        tokenizer.apply_chat_template(
            messages, tools=tools or None, tokenize=False, add_generation_prompt=generation_prompt
        )
    )


def as_plain_messages(messages: tuple[Message, ...], tools: str | None) -> tuple[Message, ...]:
    """The fallback: tools in the system prompt, calls and results as tagged text."""
    plain = tuple(_plain(m) for m in messages)
    if not tools:
        return plain
    described = TOOLS_PROMPT.format(tools=tools)
    if plain and plain[0].role == "system":
        return (Message("system", f"{plain[0].content}\n\n{described}"), *plain[1:])
    return (Message("system", described), *plain)


def _plain(message: Message) -> Message:
    if message.role == "tool":
        return Message("user", f"<tool_response>\n{message.content}\n</tool_response>")
    if not message.tool_calls:
        return message
    calls = [format_call(c) for c in message.tool_calls]
    return Message("assistant", "\n".join([message.content, *calls]).strip())


def format_call(call: ToolCall) -> str:
    """One call in the `<tool_call>` syntax."""
    body = {"name": call.name, "arguments": json.loads(call.arguments)}
    return f"<tool_call>\n{json.dumps(body, ensure_ascii=False)}\n</tool_call>"


def assistant_spans(
    messages: list[dict[str, Any]], tokenizer: Any, tools: list[dict[str, Any]] | None, eot: str
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered chat and, per assistant turn, its span from after the header through eot.

    Each span is found by rendering the turns before it (with the generation prompt) and the
    turns through it; a template that renders earlier turns differently once later ones
    follow (e.g. dropping past reasoning) is refused, since replies cannot be located.
    """
    full = render(messages, tokenizer, tools)
    spans = []
    for k, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = render(messages[:k], tokenizer, tools, generation_prompt=True) if k else ""
        through = render(messages[: k + 1], tokenizer, tools)
        if not (through.startswith(before) and full.startswith(through)):
            raise ValueError(
                "the chat template renders earlier turns differently once later turns follow, "
                "so tool-calling replies cannot be located; use another template"
            )
        end = through.rfind(eot, len(before))
        spans.append((len(before), end + len(eot) if end >= 0 else len(through)))
    return full, spans


def tools_list(example: Example) -> list[dict[str, Any]] | None:
    """The example's tools as a list (None when it offers none)."""
    return json.loads(example.tools) if example.tools else None


def parse_tool_calls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The answer without its `<tool_call>` blocks, and the calls in OpenAI's response shape.

    A block that is not JSON with a string `name` stays in the text (the model did not
    produce a usable call).
    """
    calls: list[dict[str, Any]] = []

    def take(match: re.Match[str]) -> str:
        call = _call_of(match.group(1))
        if call is None:
            return match.group(0)
        calls.append({"id": f"call_{len(calls)}", "type": "function", "function": call})
        return ""

    rest = _CALL_RE.sub(take, text)
    return rest.strip(), calls


def _call_of(body: str) -> dict[str, str] | None:
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    arguments = value.get("arguments", value.get("parameters", {}))
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return {"name": value["name"], "arguments": text}


def chat_for_template(
    messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, tokenizer: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """Request messages (OpenAI shape) and tools as this tokenizer's template takes them."""
    if not tools and not any(m.get("tool_calls") or m.get("role") == "tool" for m in messages):
        return messages, None
    turns = tuple(_message_of(m) for m in messages)
    if supports_tools(tokenizer):
        return [openai_message(m) for m in turns], tools
    plain = as_plain_messages(turns, json.dumps(tools, ensure_ascii=False) if tools else None)
    return [{"role": m.role, "content": m.content} for m in plain], None


def _message_of(message: dict[str, Any]) -> Message:
    calls = tuple(
        ToolCall(str(f.get("name", "")), _arguments_text(f.get("arguments", {})))
        for f in (c.get("function", c) for c in message.get("tool_calls") or [])
    )
    return Message(message["role"], str(message.get("content") or ""), calls)


def _arguments_text(arguments: Any) -> str:
    value = arguments
    if isinstance(arguments, str):
        try:
            value = json.loads(arguments)
        except json.JSONDecodeError:
            value = {}
    return json.dumps(value if isinstance(value, dict) else {}, ensure_ascii=False)
