"""Say what a file is: preference, KTO and multimodal files named, ignored fields warned."""
# mypy: disable-error-code="index,union-attr"
# `Example.messages` is Optional (None for text records); these tests load chat records.

from __future__ import annotations

import pytest

from easytune.training.data import DataValidationError, load_dataset

USER = {"role": "user", "content": "Which planet is red?"}
GOOD = {"role": "assistant", "content": "Mars."}
BAD = {"role": "assistant", "content": "Venus."}


def _refusal(path) -> str:
    with pytest.raises(DataValidationError) as info:
        load_dataset(path)
    assert len(info.value.errors) == 1  # one sentence about the file, no per-line noise
    return info.value.errors[0].message


def test_sharegpt_pairs_are_named_a_preference_file(write):
    record = {
        "conversations": [{"from": "human", "value": "Which planet is red?"}],
        "chosen": {"from": "gpt", "value": "Mars."},
        "rejected": {"from": "gpt", "value": "Venus."},
    }
    message = _refusal(write([record] * 150, "json"))
    assert message.startswith("this is a preference-pair (DPO/ORPO) file (ShareGPT")
    assert "150 of 150 records checked" in message and "not available yet" in message


def test_openai_messages_pairs_are_named_a_preference_file(write):
    record = {"messages": [USER], "chosen": [GOOD], "rejected": [BAD]}
    assert "OpenAI 'messages' with a 'chosen' and a 'rejected'" in _refusal(
        write([record], "jsonl")
    )


def test_openai_preference_jsonl_is_named(write):
    record = {
        "input": {"messages": [USER]},
        "preferred_output": [GOOD],
        "non_preferred_output": [BAD],
    }
    message = _refusal(write([record, record], "jsonl"))
    assert "OpenAI preference fine-tuning JSONL" in message


def test_kto_labels_are_named_and_not_trained_as_chat(write):
    records = [{"messages": [USER, GOOD], "label": True}, {"messages": [USER, BAD], "label": False}]
    message = _refusal(write(records, "jsonl"))
    assert message.startswith("this is a KTO (labelled answers) file")
    assert "1 true, 1 false" in message and "would teach the answers labelled false" in message


def test_a_few_stray_pairs_do_not_rename_a_chat_file(write):
    chats = [{"messages": [USER, GOOD]}] * 9
    odd = {"messages": [USER, GOOD], "chosen": "x", "rejected": "y"}
    loaded = load_dataset(write([*chats, odd], "jsonl"))
    assert loaded.kind == "chat"
    assert loaded.warnings == [
        "ignored fields: 'chosen' in 1 record(s), 'rejected' in 1 record(s); training reads "
        "only 'messages', 'tools'"
    ]


def test_multimodal_fields_and_unknown_keys_are_warnings(write):
    record = {"messages": [{"role": "user", "content": "<image>What is it?"}, GOOD]}
    loaded = load_dataset(write([{**record, "images": ["a.png"], "source": "web"}] * 2, "json"))
    assert loaded.format == "openai" and len(loaded) == 2
    assert loaded.warnings[0].startswith("multimodal file: 'images' in 2 record(s)")
    assert loaded.warnings[1] == (
        "ignored fields: 'source' in 2 record(s); training reads only 'messages', 'tools'"
    )


def test_media_content_parts_are_dropped_with_a_warning(write):
    parts = [
        {"type": "image_url", "image_url": {"url": "a.png"}},
        {"type": "text", "text": "What?"},
    ]
    loaded = load_dataset(
        write([{"messages": [{"role": "user", "content": parts}, GOOD]}], "jsonl")
    )
    assert loaded.examples[0].messages[0].content == "What?"
    assert loaded.warnings == [
        "multimodal content parts dropped: 'image_url' in 1 turn(s); EasyTune trains text only, "
        "so only the 'text' parts of those turns are kept"
    ]


def test_sharegpt_system_field_becomes_the_system_turn(write):
    record = {
        "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "arr"}],
        "system": "Talk like a pirate.",
    }
    loaded = load_dataset(write([record], "jsonl"))
    assert [m.role for m in loaded.examples[0].messages] == ["system", "user", "assistant"]
    assert loaded.warnings == []
