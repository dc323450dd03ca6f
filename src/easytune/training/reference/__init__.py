"""The forgetting monitor's reference set: the shipped general set, or a user's retain set.

Each item is {"id", "lang", "kind": "prompt" | "text", "messages" | "text"}. A user's file may
leave out id, lang and kind; they are filled in (line-N, "und", from the content).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

ROLES = ("system", "user", "assistant")
MAX_LISTED = 20  # problems listed in the message; all of them stay in `.problems`


class ReferenceSetError(ValueError):
    """A retain set that cannot be used; `problems` holds one line per bad record."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        tail = f"; and {more} more" if more else ""
        super().__init__(f"{source}: " + "; ".join(shown) + tail)


def shipped_path() -> Path:
    """The general reference set shipped with EasyTune (60 English, 40 Chinese items)."""
    return Path(str(resources.files(__name__).joinpath("general.jsonl")))


def load_reference_set(
    path: str | None = None, max_items: int | None = None
) -> list[dict[str, Any]]:
    """Items of the shipped set (path None) or a retain set; an evenly spread subset if capped."""
    if max_items is not None and max_items < 1:
        raise ValueError(f"max_items must be at least 1, got {max_items}")
    source = Path(path) if path else shipped_path()
    if not source.is_file():
        raise ReferenceSetError(str(source), ["file not found; give a JSONL retain set"])
    items, problems = _parse(source.read_text(encoding="utf-8"))
    if not items and not problems:
        problems.append("no items; each line needs 'messages' or 'text'")
    if problems:
        raise ReferenceSetError(str(source), problems)
    return _spread(items, max_items)


def _parse(content: str) -> tuple[list[dict[str, Any]], list[str]]:
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        item, errors = _item(line, number)
        if item and item["id"] in seen:
            errors.append(f"duplicate id {item['id']!r}; ids must be unique")
        problems.extend(f"line {number}: {e}" for e in errors)
        if item and not errors:
            seen.add(item["id"])
            items.append(item)
    return items, problems


def _item(line: str, number: int) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [f"not valid JSON ({exc.msg} at column {exc.colno})"]
    if not isinstance(record, dict):
        return None, ["each line must be a JSON object with 'messages' or 'text'"]
    has_messages, has_text = "messages" in record, "text" in record
    if has_messages == has_text:
        return None, ["needs exactly one of 'messages' (a chat) or 'text' (a passage)"]
    kind = "prompt" if has_messages else "text"
    errors = _check_messages(record["messages"]) if has_messages else _check_text(record["text"])
    errors += _check_meta(record, kind)
    item = {
        "id": str(record.get("id", f"line-{number}")),
        "lang": record.get("lang", "und"),
        "kind": kind,
    }
    item["messages" if has_messages else "text"] = record["messages" if has_messages else "text"]
    return item, errors


def _check_text(text: Any) -> list[str]:
    if isinstance(text, str) and text.strip():
        return []
    return ["'text' must be a non-empty string"]


def _check_messages(messages: Any) -> list[str]:
    if not isinstance(messages, list) or not messages:
        return ["'messages' must be a non-empty list of {role, content} objects"]
    errors = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            errors.append(f"messages[{i}] needs a role of {', '.join(ROLES)}")
        elif not isinstance(message.get("content"), str) or not message["content"].strip():
            errors.append(f"messages[{i}] needs a non-empty string 'content'")
    if not errors and not any(m["role"] == "assistant" for m in messages):
        errors.append("'messages' needs an assistant reply: the monitor scores the answers")
    return errors


def _check_meta(record: dict[str, Any], kind: str) -> list[str]:
    errors = []
    if "kind" in record and record["kind"] != kind:
        errors.append(f"kind {record['kind']!r} does not match the content; expected {kind!r}")
    for key in ("id", "lang"):
        if key in record and not (isinstance(record[key], str) and record[key]):
            errors.append(f"{key!r} must be a non-empty string")
    return errors


def _spread(items: list[dict[str, Any]], max_items: int | None) -> list[dict[str, Any]]:
    """A capped subset with each (lang, kind) group in its share, spread evenly over each group."""
    if max_items is None or max_items >= len(items):
        return items
    groups: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault((item["lang"], item["kind"]), []).append(index)
    quotas = _quotas({key: len(members) for key, members in groups.items()}, max_items)
    chosen: list[int] = []
    for key, members in groups.items():
        step = len(members) / quotas[key] if quotas[key] else 0.0
        chosen.extend(members[int(i * step)] for i in range(quotas[key]))
    return [items[i] for i in sorted(chosen)]


def _quotas(sizes: dict[tuple[str, str], int], total: int) -> dict[tuple[str, str], int]:
    """Largest-remainder shares of `total` in proportion to `sizes` (ties: file order)."""
    whole = sum(sizes.values())
    exact = {key: size * total / whole for key, size in sizes.items()}
    quotas = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: -(exact[key] - quotas[key]))
    for key in by_remainder[: total - sum(quotas.values())]:
        quotas[key] += 1
    return quotas
