"""Preference pairs: a prompt (the conversation so far) and a chosen and a rejected answer.

Three shapes are read: ShareGPT (`conversations` + `chosen`/`rejected` turns), OpenAI
(`messages` + `chosen`/`rejected` as a message or a list of messages) and OpenAI's preference
fine-tuning JSONL (`input.messages`, `preferred_output`, `non_preferred_output`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easytune.training.data import error_messages as em
from easytune.training.data.formats import FORMATS, RecordContext
from easytune.training.data.types import DataValidationError, ErrorSink, Example, Message

_SHAPES = (
    ("input", "preferred_output", "non_preferred_output"),
    ("conversations", "chosen", "rejected"),
    ("messages", "chosen", "rejected"),
)


@dataclass(frozen=True)
class PreferencePair:
    line: int
    prompt: tuple[Message, ...]  # ends with a user turn
    chosen: str
    rejected: str


def load_pairs(path: str | Path, *, max_errors: int = 1000) -> list[PreferencePair]:
    """Every pair of a JSON/JSONL file; DataValidationError naming each bad record."""
    from easytune.training.data.containers import read_container
    from easytune.training.data.formats import nested_fields

    path, sink = Path(path), ErrorSink(max_errors)
    container = read_container(path, path.read_bytes(), sink, nested_fields())
    pairs = [_pair(r.line, r.unit, r.data, sink) for r in container.records if not r.broken]
    sink.raise_if_any()
    found = [p for p in pairs if p is not None]
    if not found:
        raise DataValidationError([])
    return found


def pair_example(record: Any, ctx: RecordContext) -> Example | None:
    """A pair as an Example: the prompt turns, the chosen answer as the last assistant turn
    and the rejected answer beside it; None after reporting the record's problems."""
    pair = _pair(ctx.line, ctx.unit, record, ctx.sink, ctx)
    if pair is None:
        return None
    chosen = Message("assistant", pair.chosen)
    return Example(pair.line, messages=(*pair.prompt, chosen), rejected=pair.rejected)


def pair_format(record: Any) -> str:
    """The chat format the pair's prompt is written in (reported as the file's format)."""
    return "sharegpt" if isinstance(record, Mapping) and "conversations" in record else "openai"


def from_example(example: Example) -> PreferencePair:
    """The pair an Example of a preference file holds (see pair_example)."""
    assert example.messages is not None and example.rejected is not None
    return PreferencePair(
        example.line, example.messages[:-1], example.messages[-1].content, example.rejected
    )


def _pair(
    line: int, unit: str, record: Any, sink: ErrorSink, ctx: RecordContext | None = None
) -> PreferencePair | None:
    ctx = ctx or RecordContext(line, unit, sink)
    shape = next((s for s in _SHAPES if isinstance(record, dict) and set(s) <= record.keys()), None)
    if shape is None:
        ctx.error("", em.PAIR_SHAPE())
        return None
    prompt_key, good_key, bad_key = shape
    turns = record[prompt_key]
    turns = turns.get("messages") if isinstance(turns, Mapping) else turns
    prompt = _prompt(turns, prompt_key, ctx)
    if prompt is not None and (not prompt or prompt[-1].role != "user"):
        ctx.error(prompt_key, em.PROMPT_NOT_USER(field=prompt_key))
        prompt = None
    chosen, rejected = (
        _answer(record[good_key], good_key, ctx),
        _answer(record[bad_key], bad_key, ctx),
    )
    if ctx.failed or prompt is None or chosen is None or rejected is None:
        return None
    return PreferencePair(line, prompt, chosen, rejected)


def _prompt(turns: Any, key: str, ctx: RecordContext) -> tuple[Message, ...] | None:
    handler = FORMATS["sharegpt" if key == "conversations" else "openai"]
    field = "conversations" if key == "conversations" else "messages"
    if not isinstance(turns, list) or not turns:
        ctx.error(key, em.PROMPT_NOT_TURNS(field=key))
        return None
    reply = {"from": "gpt", "value": "x"} if field == "conversations" else {
        "role": "assistant", "content": "x"}  # fmt: skip
    example = handler.parse({field: [*turns, reply]}, ctx)  # validated like any chat
    if example is None or example.messages is None:
        return None
    return example.messages[:-1]


def _answer(value: Any, key: str, ctx: RecordContext) -> str | None:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, Mapping):
        value = value.get("content", value.get("value"))
    if not isinstance(value, str) or not value.strip():
        ctx.error(key, em.NOT_ANSWER(field=key))
        return None
    return value


def pair_dict(pair: PreferencePair) -> dict[str, Any]:
    """A pair as JSON (for previews and debugging)."""
    prompt = [{"role": m.role, "content": m.content} for m in pair.prompt]
    return {"line": pair.line, "prompt": json.loads(json.dumps(prompt)), "chosen": pair.chosen,
            "rejected": pair.rejected}  # fmt: skip
