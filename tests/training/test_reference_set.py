"""The forgetting monitor's reference set: the shipped one, user retain sets, bad lines."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from easytune.training.reference import ReferenceSetError, load_reference_set, shipped_path

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_shipped_set_has_60_english_and_40_chinese_short_items() -> None:
    items = load_reference_set()
    assert len(items) == 100 and len({i["id"] for i in items}) == 100
    assert Counter(i["lang"] for i in items) == {"en": 60, "zh": 40}
    assert {i["kind"] for i in items} == {"prompt", "text"}
    for item in items:
        content = item.get("text") or " ".join(m["content"] for m in item["messages"])
        assert len(content) < 400, item["id"]
        assert bool(HAN.search(content)) == (item["lang"] == "zh"), item["id"]
        if item["kind"] == "prompt":
            assert [m["role"] for m in item["messages"]] == ["user", "assistant"]


def test_a_capped_set_keeps_the_mix() -> None:
    items = load_reference_set(max_items=20)
    assert len(items) == 20
    assert Counter(i["lang"] for i in items) == {"en": 12, "zh": 8}
    assert Counter(i["kind"] for i in items)["text"] >= 4
    assert load_reference_set(max_items=500) == load_reference_set()
    with pytest.raises(ValueError, match="max_items must be at least 1"):
        load_reference_set(max_items=0)


def test_a_user_retain_set_fills_in_missing_metadata(tmp_path: Path) -> None:
    path = tmp_path / "retain.jsonl"
    lines = [
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
        {"text": "Our company was founded in 1999.", "lang": "en", "id": "about"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    items = load_reference_set(str(path))
    assert [(i["id"], i["lang"], i["kind"]) for i in items] == [
        ("line-1", "und", "prompt"),
        ("about", "en", "text"),
    ]


def test_every_bad_line_is_named_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                "{not json",
                json.dumps(["a list"]),
                json.dumps({"text": "a", "messages": []}),
                json.dumps({"text": "  "}),
                json.dumps({"messages": [{"role": "bot", "content": "hi"}]}),
                json.dumps({"messages": [{"role": "user", "content": "only a question"}]}),
                json.dumps({"text": "fine", "id": "x"}),
                json.dumps({"text": "again", "id": "x", "kind": "prompt"}),
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ReferenceSetError) as info:
        load_reference_set(str(path))
    problems = info.value.problems
    assert problems[0].startswith("line 1: not valid JSON")
    assert problems[1].startswith("line 2: each line must be a JSON object")
    assert problems[2] == "line 3: needs exactly one of 'messages' (a chat) or 'text' (a passage)"
    assert problems[3] == "line 4: 'text' must be a non-empty string"
    assert problems[4].startswith("line 5: messages[0] needs a role of system, user, assistant")
    assert "line 6: 'messages' needs an assistant reply" in problems[5]
    assert any(p.startswith("line 8: kind 'prompt' does not match") for p in problems)
    assert "line 8: duplicate id 'x'; ids must be unique" in problems
    assert len(problems) == 8 and str(path) in str(info.value)


def test_missing_and_empty_files_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ReferenceSetError, match="file not found"):
        load_reference_set(str(tmp_path / "nope.jsonl"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ReferenceSetError, match="no items"):
        load_reference_set(str(empty))
    assert shipped_path().name == "general.jsonl"
