"""Every format in every container loads, is detected, and normalises to the same examples."""
# mypy: disable-error-code="index,attr-defined,call-overload"
# `Example.messages` is Optional (None for text records); these tests load
# chat records. RECORDS mixes shapes.

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from easytune.training.data import (
    FORMATS,
    DataValidationError,
    Example,
    Message,
    load_dataset,
)
from easytune.training.data.types import Role

FIXTURES = Path(__file__).parent / "fixtures"
SYSTEM: Role = "system"
USER: Role = "user"
ASSISTANT: Role = "assistant"

RECORDS: dict[str, list[dict[str, Any]]] = {
    "alpaca": [
        {"instruction": "Say hi", "input": "to Bob", "output": "Hi Bob", "system": "Be brief"},
        {"instruction": "2+2?", "output": "4"},
    ],
    "sharegpt": [
        {
            "conversations": [
                {"from": "system", "value": "Be brief"},
                {"from": "human", "value": "Say hi\n\nto Bob"},
                {"from": "gpt", "value": "Hi Bob"},
            ]
        },
        {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]},
    ],
    "openai": [
        {
            "messages": [
                {"role": "system", "content": "Be brief"},
                {"role": "user", "content": "Say hi\n\nto Bob"},
                {"role": "assistant", "content": "Hi Bob"},
            ]
        },
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
    ],
    "text": [{"text": "First document.\nSecond line."}, {"text": "第二个文档。"}],
}
CHATS = (
    (Message(SYSTEM, "Be brief"), Message(USER, "Say hi\n\nto Bob"), Message(ASSISTANT, "Hi Bob")),
    (Message(USER, "2+2?"), Message(ASSISTANT, "4")),
)
# Where record 1 and 2 are said to be, per container.
LINES = {"json": (1, 2), "json-data": (1, 2), "jsonl": (1, 2), "csv": (2, 3), "parquet": (1, 2)}
SOURCE = {"json-data": "json"}


def expected(fmt: str, lines: tuple[int, int]) -> list[Example]:
    if fmt == "text":
        return [
            Example(line, text=r["text"]) for line, r in zip(lines, RECORDS["text"], strict=True)
        ]
    return [Example(line, messages=m) for line, m in zip(lines, CHATS, strict=True)]


@pytest.mark.parametrize("container", list(LINES))
@pytest.mark.parametrize("fmt", list(RECORDS))
def test_every_format_in_every_container(write, fmt, container):
    loaded = load_dataset(write(RECORDS[fmt], container))
    assert loaded.format == fmt
    assert loaded.detected is True
    assert loaded.source_format == SOURCE.get(container, container)
    assert loaded.examples == expected(fmt, LINES[container])
    assert any(
        f"detected format '{fmt}'" in note and "2 of 2 records" in note
        for note in map(str, loaded.notes)
    )


def test_registry_has_the_four_formats_and_each_names_its_fields():
    assert list(FORMATS) == ["openai", "sharegpt", "alpaca", "text"]
    for name, handler in FORMATS.items():
        assert handler.name == name and handler.summary and handler.signature


def test_given_format_is_not_detected(write):
    loaded = load_dataset(write(RECORDS["alpaca"], "jsonl"), format="alpaca")
    assert loaded.detected is False and loaded.format == "alpaca"
    assert not any("detected" in note for note in map(str, loaded.notes))


def test_unknown_format_name_lists_the_choices(write):
    with pytest.raises(ValueError, match="unknown dataset format 'chatml'; choose one of openai"):
        load_dataset(write(RECORDS["alpaca"], "jsonl"), format="chatml")


def test_txt_file_is_one_document_per_blank_line_block(write):
    path = write("First doc\nstill first\n\n\nSecond doc\n  \nThird\n", ".txt")
    loaded = load_dataset(path)
    assert loaded.format == "text" and loaded.source_format == "txt"
    assert loaded.examples == [
        Example(1, text="First doc\nstill first"),
        Example(5, text="Second doc"),
        Example(7, text="Third"),
    ]


def test_txt_file_refuses_a_chat_format(write):
    with pytest.raises(ValueError, match=r"a \.txt file holds plain text, not 'alpaca' records"):
        load_dataset(write("hello\n", ".txt"), format="alpaca")


def test_json_file_with_one_object_per_line_is_read_as_jsonl(write):
    body = "".join(json.dumps(r) + "\n" for r in RECORDS["openai"])
    loaded = load_dataset(write(body, ".json"))
    assert loaded.source_format == "jsonl" and len(loaded) == 2
    assert any("one JSON object per line" in note for note in map(str, loaded.notes))


def test_json_object_with_another_list_key_is_accepted_with_a_note(write):
    loaded = load_dataset(write(json.dumps({"rows": RECORDS["text"]}), ".json"))
    assert len(loaded) == 2 and "records read from the object's 'rows' list" in list(
        map(str, loaded.notes)
    )


def test_chat_wins_over_a_pre_rendered_text_field(write):
    records = [dict(r, text="pre-rendered") for r in RECORDS["openai"]]
    assert load_dataset(write(records, "jsonl")).format == "openai"


def test_alpaca_history_and_sharegpt_with_role_content_keys(write):
    alpaca = [{"instruction": "q2", "output": "a2", "history": [["q1", "a1"]]}]
    loaded = load_dataset(write(alpaca, "jsonl"))
    assert loaded.examples[0].messages == (
        Message(USER, "q1"),
        Message(ASSISTANT, "a1"),
        Message(USER, "q2"),
        Message(ASSISTANT, "a2"),
    )
    mixed = [
        {"conversations": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    ]
    assert load_dataset(write(mixed, "jsonl")).examples[0].messages == (
        Message(USER, "q"),
        Message(ASSISTANT, "a"),
    )


def test_openai_text_content_parts_are_joined(write):
    record = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            },
            {"role": "assistant", "content": "c"},
        ]
    }
    assert load_dataset(write([record], "jsonl")).examples[0].messages[0] == Message(USER, "ab")


def test_undetectable_records_name_their_keys_and_the_formats(write):
    with pytest.raises(DataValidationError) as info:
        load_dataset(write([{"question": "q", "answer": "a"}], "jsonl"))
    (error,) = info.value.errors
    assert (
        "could not detect the dataset format from the record keys ['answer', 'question']"
        in error.message
    )
    assert "alpaca (instruction, optional input, output, optional system)" in error.message


def test_bom_and_crlf_are_tolerated(write):
    body = "\ufeff" + "".join(json.dumps(r) + "\r\n" for r in RECORDS["alpaca"])
    assert len(load_dataset(write(body, ".jsonl"))) == 2


def test_sample_fixtures_load():

    formats = {p.name: load_dataset(p).format for p in sorted(FIXTURES.glob("sample_*"))}
    assert formats == {
        "sample_alpaca.json": "alpaca",
        "sample_openai.jsonl": "openai",
        "sample_sharegpt.jsonl": "sharegpt",
        "sample_text.txt": "text",
    }


def test_detect_format_on_plain_records():
    from easytune.training.data import detect_format

    name, why = detect_format([{"text": "a"}, {"instruction": "q", "output": "a"}, {"text": "b"}])
    assert name == "text"
    assert str(why) == "detected format 'text' (text): 2 of 3 records checked have 'text'"
