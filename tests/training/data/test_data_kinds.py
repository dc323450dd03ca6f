"""Say what a file is: preference, KTO and multimodal files named, ignored fields warned."""
# mypy: disable-error-code="index,union-attr"
# `Example.messages` is Optional (None for text records); these tests load chat records.

from __future__ import annotations

import pytest

from easytune.training.data import DataValidationError, load_dataset

USER = {"role": "user", "content": "Which planet is red?"}
GOOD = {"role": "assistant", "content": "Mars."}
BAD = {"role": "assistant", "content": "Venus."}


def _kind_note(path) -> tuple[str, str]:
    loaded = load_dataset(path)
    notes = [n for n in map(str, loaded.notes) if n.startswith("this is a")]
    assert len(notes) == 1  # one sentence about the file, no per-line noise
    return loaded.kind, notes[0]


def test_sharegpt_pairs_are_named_a_preference_file(write):
    record = {
        "conversations": [{"from": "human", "value": "Which planet is red?"}],
        "chosen": {"from": "gpt", "value": "Mars."},
        "rejected": {"from": "gpt", "value": "Venus."},
    }
    kind, note = _kind_note(write([record] * 150, "json"))
    assert kind == "preference"
    assert note.startswith("this is a preference-pair (DPO/ORPO/SimPO) file (ShareGPT")
    assert "150 of 150 records checked" in note and "`preference` intent trains DPO" in note


def test_openai_messages_pairs_are_named_a_preference_file(write):
    record = {"messages": [USER], "chosen": [GOOD], "rejected": [BAD]}
    loaded = load_dataset(write([record], "jsonl"))
    assert any(
        "OpenAI 'messages' with a 'chosen' and a 'rejected'" in n for n in map(str, loaded.notes)
    )
    example = loaded.examples[0]
    assert example.messages[-1].content == "Mars." and example.rejected == "Venus."


def test_openai_preference_jsonl_is_named(write):
    record = {
        "input": {"messages": [USER]},
        "preferred_output": [GOOD],
        "non_preferred_output": [BAD],
    }
    kind, note = _kind_note(write([record, record], "jsonl"))
    assert kind == "preference" and "OpenAI preference fine-tuning JSONL" in note


def test_a_pair_without_a_user_turn_last_is_named(write):
    record = {"messages": [USER, GOOD], "chosen": [GOOD], "rejected": [BAD]}
    with pytest.raises(DataValidationError, match="line 1: 'messages' must end with the user"):
        load_dataset(write([record], "jsonl"))


def test_kto_labels_are_named_and_kept_with_each_answer(write):
    records = [{"messages": [USER, GOOD], "label": True}, {"messages": [USER, BAD], "label": False}]
    kind, note = _kind_note(write(records, "jsonl"))
    assert kind == "kto" and note.startswith("this is a KTO (labelled answers) file")
    assert "1 true, 1 false" in note and "never trained as targets" in note
    labels = [ex.label for ex in load_dataset(write(records, "jsonl")).examples]
    assert labels == [True, False]


def test_a_few_stray_pairs_do_not_rename_a_chat_file(write):
    chats = [{"messages": [USER, GOOD]}] * 9
    odd = {"messages": [USER, GOOD], "chosen": "x", "rejected": "y"}
    loaded = load_dataset(write([*chats, odd], "jsonl"))
    assert loaded.kind == "chat"
    assert list(map(str, loaded.warnings)) == [
        "ignored fields: 'chosen' in 1 record(s) and 'rejected' in 1 record(s); training reads "
        "only 'messages', 'tools'"
    ]


def test_multimodal_fields_and_unknown_keys_are_warnings(write):
    record = {"messages": [{"role": "user", "content": "<image>What is it?"}, GOOD]}
    loaded = load_dataset(write([{**record, "images": ["a.png"], "source": "web"}] * 2, "json"))
    assert loaded.format == "openai" and len(loaded) == 2
    assert str(loaded.warnings[0]).startswith("multimodal file: 'images' in 2 record(s)")
    assert str(loaded.warnings[1]) == (
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
    assert list(map(str, loaded.warnings)) == [
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


def test_every_note_and_warning_of_the_data_check_reads_in_chinese(write):
    """Notes and warnings are coded: the reader's language from code + params, never English."""
    import re

    from easytune.i18n import render

    images = {"messages": [USER, GOOD], "images": ["a.png"], "source": "web"}
    parts = [{"type": "image_url", "image_url": {"url": "a.png"}}, {"type": "text", "text": "Hi"}]
    files = [
        write([images] * 2, "json"),
        write([{"messages": [{"role": "user", "content": parts}, GOOD]}], "jsonl", "parts"),
        write([{"messages": [USER], "chosen": "x", "rejected": "y"}] * 2, "jsonl", "pair"),
        write(
            [{"messages": [USER, GOOD], "label": True}, {"messages": [USER, BAD], "label": False}],
            "jsonl",
            "kto",
        ),
        write([{"instruction": "q", "output": "a"}] * 2, "csv"),
        write("w1 w2\n\nw3\n", ".txt"),
        write("# T\n\nbody", ".md"),
    ]
    seen = set()
    for path in files:
        loaded = load_dataset(path)
        for message in [*loaded.notes, *loaded.warnings]:
            seen.add(message.code)
            zh = render(message.to_dict(), "zh")
            assert re.search(r"[\u4e00-\u9fff]", zh) and "{" not in zh, (message.code, zh)
            assert zh != str(message)
    assert {"data.multimodal", "data.ignored_fields", "data.media_parts", "data.kind"} <= seen
    assert {"data.detected", "data.split_blank", "data.markdown_one", "data.read_as"} <= seen
