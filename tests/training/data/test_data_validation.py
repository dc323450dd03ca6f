"""Malformed datasets: every bad line is reported, with where it is, what is wrong and the fix."""

from __future__ import annotations

import json

import pytest

from easytune.training.data import DataValidationError, LineError, load_dataset

GOOD = {"instruction": "q", "output": "a"}


def errors_of(path, **kwargs) -> list[LineError]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(path, **kwargs)
    return info.value.errors


def messages_of(path, **kwargs) -> list[str]:
    return [e.message for e in errors_of(path, **kwargs)]


def jsonl(*records) -> str:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    )


def test_missing_alpaca_output_names_line_field_and_fix(write):
    records = [GOOD] * 16 + [{"instruction": "q"}] + [GOOD] * 3
    (error,) = errors_of(write(jsonl(*records), ".jsonl"))
    assert error == LineError(
        17,
        "output",
        "line 17: missing 'output' field; each Alpaca record needs 'instruction' and 'output'",
        "line",
    )


def test_every_bad_line_is_reported_in_line_order(write):
    body = jsonl(
        GOOD,
        {"instruction": "q"},
        "{bad json",
        GOOD,
        {"output": "a"},
        {"instruction": "q", "output": "   "},
        {"instruction": 3, "output": "a"},
    )
    assert messages_of(write(body, ".jsonl")) == [
        "line 2: missing 'output' field; each Alpaca record needs 'instruction' and 'output'",
        "line 3: invalid JSON at column 2 (Expecting property name enclosed in double quotes); "
        "each line must be one complete JSON object",
        "line 5: missing 'instruction' field; each Alpaca record needs 'instruction' and 'output'",
        "line 6: 'output' is empty; write the text or remove the record",
        "line 7: 'instruction' must be a string, got number; each Alpaca record needs "
        "'instruction' and 'output'",
    ]


def test_max_errors_caps_the_list_and_says_so(write):
    path = write(jsonl(*[{"instruction": "q"}] * 50), ".jsonl")
    with pytest.raises(DataValidationError) as info:
        load_dataset(path, max_errors=10)
    assert len(info.value.errors) == 10 and info.value.truncated
    assert [e.line for e in info.value.errors] == list(range(1, 11))
    assert "stopped counting" in str(info.value) and "line 1: missing 'output'" in str(info.value)


CHAT_CASES = [
    (
        {"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]},
        "line 2: turn 1 has unknown role 'narrator'; use role 'system', 'user' or 'assistant' "
        "(or 'tool' for a tool's result)",
    ),
    (
        {
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "tool", "content": "{}"},
                {"role": "assistant", "content": "y"},
            ]
        },
        "line 2: turn 2 is a tool result with no tool call before it; put the assistant's call "
        "(function_call / tool_calls) first",
    ),
    (
        {
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
            ]
        },
        "line 2: turn 2 has a tool call without a 'name'; write it like "
        '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    ),
    (
        {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": " "}]},
        "line 2: turn 2 has empty 'content'; write the text or remove the turn",
    ),
    (
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "x"}]},
        "line 2: no assistant turn; each conversation needs at least one assistant reply to "
        "learn from",
    ),
    (
        {
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "system", "content": "s"},
                {"role": "assistant", "content": "y"},
            ]
        },
        "line 2: turn 2 is a system turn after the conversation started; put the system prompt "
        "first",
    ),
    (
        {"messages": "hello"},
        "line 2: 'messages' must be a non-empty list of turns, got string; each openai record "
        "needs 'messages': a list of turns (role: system|user|assistant, content)",
    ),
    (
        {"messages": []},
        "line 2: 'messages' must be a non-empty list of turns, got an empty list; each openai "
        "record needs 'messages': a list of turns (role: system|user|assistant, content)",
    ),
    (
        {"messages": ["hi", {"role": "assistant", "content": "y"}]},
        "line 2: turn 1 must be an object with 'role' and 'content', got string",
    ),
    (
        {"messages": [{"content": "x"}, {"role": "assistant", "content": "y"}]},
        "line 2: turn 1 has no 'role'; use role 'system', 'user' or 'assistant' "
        "(or 'tool' for a tool's result)",
    ),
    (
        {"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "y"}]},
        "line 2: turn 1 has a number as 'content'; each turn needs its text as a string",
    ),
    (
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "value": "x"}]},
                {"role": "assistant", "content": "y"},
            ]
        },
        "line 2: turn 1 content part 1 is a text part with the keys 'type', 'value'; put its "
        'text under \'text\' as a string, like {"type": "text", "text": "..."}',
    ),
    (
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": 5}]},
                {"role": "assistant", "content": "y"},
            ]
        },
        "line 2: turn 1 content part 1 is a text part with a number under 'text'; put its "
        'text under \'text\' as a string, like {"type": "text", "text": "..."}',
    ),
    (
        {
            "messages": [
                {"role": "user", "content": [{"type": "hologram", "text": "x"}]},
                {"role": "assistant", "content": "y"},
            ]
        },
        "line 2: turn 1 content part 1 has type 'hologram'; text parts look like "
        '{"type": "text", "text": "..."}',
    ),
    (
        {
            "messages": [
                {"role": "user", "content": [{"type": "image_url", "image_url": "x"}]},
                {"role": "assistant", "content": "y"},
            ]
        },
        "line 2: turn 1 has only media content parts and no text; add a 'text' part",
    ),
]
OK_CHAT = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}


@pytest.mark.parametrize(("record", "message"), CHAT_CASES)
def test_chat_record_problems(write, record, message):
    assert messages_of(write(jsonl(OK_CHAT, record, OK_CHAT), ".jsonl")) == [message]


def test_sharegpt_unknown_role_hint_uses_its_own_keys(write):
    bad = {"conversations": [{"from": "narrator", "value": "x"}, {"from": "gpt", "value": "y"}]}
    assert messages_of(write(jsonl(bad), ".jsonl")) == [
        "line 1: turn 1 has unknown role 'narrator'; use from 'system', 'human' or 'gpt' "
        "(or 'function_call' / 'observation')"
    ]


def test_not_utf8_names_line_and_byte_offset(write):
    good = jsonl(GOOD).encode()
    body = good + b'{"instruction": "caf\xe9", "output": "a"}\n' + good
    assert messages_of(write(body, ".jsonl")) == [
        f"line 2: not valid UTF-8 (byte 0xe9 at byte offset {len(good) + 20}); re-save the file "
        "as UTF-8"
    ]


def test_gbk_file_gets_a_conversion_hint(write):
    body = jsonl({"instruction": "你好", "output": "世界"}).encode("gbk")
    (message,) = messages_of(write(body, ".jsonl"))
    assert message.startswith("line 1: not valid UTF-8 (byte 0xc4 at byte offset 17)")
    assert "looks GBK/GB18030-encoded; re-save it as UTF-8 (e.g. iconv -f GB18030" in message


def test_bad_json_array_names_line_and_column(write):
    body = '[\n  {"instruction": "q", "output": "a"},\n  {"instruction": "q" "output": "a"}\n]'
    assert messages_of(write(body, ".json")) == [
        "line 3: invalid JSON at column 23 (Expecting ',' delimiter); fix the syntax there "
        "(a .json file holds one array of records)"
    ]


def test_json_array_uses_record_numbers(write):
    body = json.dumps([GOOD, "oops", {"instruction": "q"}])
    assert messages_of(write(body, ".json")) == [
        "record 2: expected an object with fields, got string; each alpaca record needs "
        "instruction, optional input, output, optional system",
        "record 3: missing 'output' field; each Alpaca record needs 'instruction' and 'output'",
    ]


def test_json_scalar_is_refused(write):
    assert messages_of(write('"just a string"', ".json")) == [
        "line 1: expected a JSON array of records or an object with a 'data' list, got str; "
        "wrap the records in [ ... ]"
    ]


@pytest.mark.parametrize("body", ["", "  \n\n", b"\xef\xbb\xbf"])
def test_empty_file(write, body):
    errors = errors_of(write(body, ".jsonl"))
    assert [e.message for e in errors] in (
        ["the file is empty; upload a file with at least one record"],
        ["the file has no records; add at least one example"],
    )
    assert errors[0].line == 0


def test_empty_json_array_has_no_records(write):
    assert messages_of(write("[]", ".json")) == [
        "the file has no records; add at least one example"
    ]


def test_csv_rows_count_the_header_as_row_1(write):
    body = 'instruction,output\nq,a\n"multi\nline",a\nq,\nq,a,extra\nq,"a"\n'
    assert messages_of(write(body, ".csv")) == [
        "row 4: missing 'output' field; each Alpaca record needs 'instruction' and 'output'",
        "row 5: has 3 cells but the header has 2 columns; quote cells that contain commas or "
        "line breaks",
    ]


def test_csv_bad_json_cell(write):
    body = 'messages\n"[{""role"": ""user"", ""content"": ""x""}"\n'
    assert messages_of(write(body, ".csv")) == [
        "row 2: 'messages' cell is not valid JSON (column 34: Expecting ',' delimiter); put the "
        "list in the cell as JSON"
    ]


def test_parquet_uses_record_numbers(write):
    path = write([GOOD, {"instruction": "q", "output": ""}, GOOD], "parquet")
    assert messages_of(path) == ["record 2: 'output' is empty; write the text or remove the record"]


def test_file_that_is_not_parquet(write):
    (message,) = messages_of(write(b"PAR1 not really", ".parquet"))
    assert message.startswith("the file is not a readable Parquet file (")
    assert message.endswith("export it again with pyarrow or pandas.to_parquet")


def test_unsupported_suffix(write):
    (message,) = messages_of(write(b"PK\x03\x04", ".xlsx"))
    assert message.startswith("unsupported file type '.xlsx'; save it as one of .csv, .json")


def test_error_as_dict_for_the_api(write):
    (error,) = errors_of(write(jsonl({"instruction": "q"}), ".jsonl"))
    assert error.to_dict() == {
        "line": 1,
        "unit": "line",
        "field": "output",
        "message": error.message,
        "detail": {
            "code": "data.where.line",
            "params": {
                "line": 1,
                "problem": {
                    "code": "data.with_fix",
                    "params": {
                        "problem": {
                            "code": "data.error.missing_field",
                            "params": {"field": "output"},
                        },
                        "fix": {"code": "data.fix.needs_alpaca", "params": {}},
                    },
                },
            },
        },
    }
