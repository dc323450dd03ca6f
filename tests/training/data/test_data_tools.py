"""Tool-calling chats: both shapes read, rendered through a tool-aware template or the
fallback, loss on the assistant's calls and answers, tool results masked."""
# mypy: disable-error-code="index,union-attr,arg-type"
# `Example.messages` is Optional (None for text records); these tests load chat records.

from __future__ import annotations

import json

import pytest

from easytune.testing.tiny import build_tokenizer
from easytune.training.data import IGNORE_INDEX, load_dataset, tokenize_example
from easytune.training.data.toolcalls import openai_message
from easytune.training.data.tooltemplate import parse_tool_calls, supports_tools

# A small Qwen2.5-like template: tools listed in the system turn, calls as <tool_call> JSON.
TOOL_TEMPLATE = (
    "{%- if tools %}<|im_start|>system\n"
    "{% if messages[0].role == 'system' %}{{ messages[0].content }}\n{% endif %}"
    "# Tools\n<tools>\n{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}</tools><|im_end|>\n"
    "{% elif messages[0].role == 'system' %}<|im_start|>system\n{{ messages[0].content }}"
    "<|im_end|>\n{% endif %}"
    "{%- for message in messages %}"
    "{%- if message.role == 'system' %}"
    "{%- elif message.role == 'assistant' %}<|im_start|>assistant\n"
    "{% if message.content %}{{ message.content }}{% endif %}"
    "{%- if message.tool_calls %}{% for call in message.tool_calls %}\n<tool_call>\n"
    '{"name": "{{ call.function.name }}", "arguments": {{ call.function.arguments | tojson }}}'
    "\n</tool_call>{% endfor %}{% endif %}<|im_end|>\n"
    "{% elif message.role == 'tool' %}<|im_start|>tool\n{{ message.content }}<|im_end|>\n"
    "{% else %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
WEATHER = {
    "name": "get_weather",
    "description": "Weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
OPENAI_RECORD = {
    "tools": [{"type": "function", "function": WEATHER}],
    "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "SUNNY_RESULT 21C"},
        {"role": "assistant", "content": "It is sunny, 21 degrees."},
    ],
}
SHAREGPT_RECORD = {
    "tools": json.dumps([WEATHER]),
    "conversations": [
        {"from": "human", "value": "Weather in Paris?"},
        {
            "from": "function_call",
            "value": json.dumps({"name": "get_weather", "arguments": {"city": "Paris"}}),
        },
        {"from": "observation", "value": "SUNNY_RESULT 21C"},
        {"from": "gpt", "value": "It is sunny, 21 degrees."},
    ],
}


@pytest.fixture(scope="module")
def tool_tokenizer():
    tok = build_tokenizer()
    tok.chat_template = TOOL_TEMPLATE
    return tok


def _labelled_text(tokenizer, example) -> tuple[str, str]:
    tokenized = tokenize_example(example, tokenizer, 4096)
    pairs = zip(tokenized.input_ids, tokenized.labels, strict=True)
    kept = [t for t, label in pairs if label != IGNORE_INDEX]
    return tokenizer.decode(tokenized.input_ids), tokenizer.decode(kept)


@pytest.mark.parametrize("record", [OPENAI_RECORD, SHAREGPT_RECORD], ids=["openai", "sharegpt"])
def test_both_shapes_become_the_same_tool_chat(write, record):
    loaded = load_dataset(write([record], "jsonl"))
    assert loaded.kind == "tool_calling" and loaded.warnings == []
    example = loaded.examples[0]
    assert [m.role for m in example.messages] == ["user", "assistant", "tool", "assistant"]
    call = example.messages[1].tool_calls[0]
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "Paris"}
    assert json.loads(example.tools)[0]["function"]["name"] == "get_weather"


def test_a_tool_aware_template_renders_the_chat_and_masks_tool_output(write, tool_tokenizer):
    assert supports_tools(tool_tokenizer)
    example = load_dataset(write([SHAREGPT_RECORD], "jsonl")).examples[0]
    rendered, trained = _labelled_text(tool_tokenizer, example)
    assert "<tools>" in rendered and '"name": "get_weather"' in rendered
    # The call and the final answer are trained, each through its end of turn ...
    assert '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}' in trained
    assert "It is sunny, 21 degrees.<|im_end|>" in trained
    # ... the tool's output, the tool list and the question are context only.
    assert "SUNNY_RESULT" in rendered and "SUNNY_RESULT" not in trained
    assert "Weather of a city" not in trained and "Weather in Paris" not in trained


def test_a_template_without_tools_gets_the_tagged_fallback(write):
    tokenizer = build_tokenizer()  # plain ChatML: ignores tools
    assert not supports_tools(tokenizer)
    example = load_dataset(write([OPENAI_RECORD], "jsonl")).examples[0]
    rendered, trained = _labelled_text(tokenizer, example)
    assert "You can call these tools" in rendered and "<tool_response>" in rendered
    assert (
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
        in trained
    )
    assert "SUNNY_RESULT" in rendered and "SUNNY_RESULT" not in trained
    assert "It is sunny, 21 degrees." in trained


def test_calls_are_read_back_from_an_answer():
    call = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
    text = f"Let me check.\n<tool_call>\n{call}\n</tool_call>"
    rest, calls = parse_tool_calls(text)
    assert rest == "Let me check."
    assert calls == [
        {"id": "call_0", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    ]  # fmt: skip
    broken = "<tool_call>not json</tool_call>"
    assert parse_tool_calls(broken) == (broken, [])


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        ({"from": "function_call", "value": '{"arguments": {}}'},
         "turn 2 has a tool call without a 'name'"),
        ({"from": "function_call", "value": '{"name": "f", "arguments": [1]}'},
         "turn 2 calls 'f' with arguments that are not a JSON object"),
    ],
)  # fmt: skip
def test_bad_calls_are_named(write, turn, message):
    record = {
        "conversations": [{"from": "human", "value": "q"}, turn, {"from": "gpt", "value": "a"}]
    }
    from easytune.training.data import DataValidationError

    with pytest.raises(DataValidationError) as info:
        load_dataset(write([record], "jsonl"))
    assert info.value.errors[0].message.startswith(f"line 1: {message}")


def test_openai_message_gives_templates_arguments_as_objects(write):
    example = load_dataset(write([OPENAI_RECORD], "jsonl")).examples[0]
    call = openai_message(example.messages[1])["tool_calls"][0]
    assert call["function"]["arguments"] == {"city": "Paris"}
