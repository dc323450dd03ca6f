"""Tools on /v1/chat/completions: offered to the model, its calls returned as `tool_calls`,
read back by the official `openai` package (whole and streamed), and tool turns accepted."""
# mypy: disable-error-code="arg-type,attr-defined,call-overload"

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from tests.core.test_playground_tools import ASKED, CALL, TOOLS
from tests.openai_api.test_openai_inference import sdk

from easytune.core.inference import GenerationRequest, Target
from easytune.openai import completions
from easytune.openai.schemas import ChatCompletionRequest
from easytune.testing.live_server import LiveServer
from easytune.training.spec import ModelRef

TARGET = Target("mdl_base", ModelRef(path="/unused"))


class _Replies:
    """The model's raw text, fixed: what the /v1 mapping makes of a call it wrote."""

    def __init__(self, text: str) -> None:
        self.text = text

    def generate(self, target: Target, request: GenerationRequest) -> Iterator[str]:
        yield from (self.text[:9], self.text[9:])


def _call(**extra: object) -> completions.Call:
    body = ChatCompletionRequest.model_validate({"model": "tiny", "messages": ASKED, **extra})
    return completions.chat_call("tiny", TARGET, body)


def test_a_call_the_model_writes_comes_back_as_tool_calls() -> None:
    call = _call(tools=TOOLS)
    assert call.generation.tools == TOOLS
    whole = ChatCompletion.model_validate(
        completions.chat_completion(_Replies(f"Checking.\n{CALL}"), call)
    )
    choice = whole.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content == "Checking."
    calls = choice.message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [  # type: ignore[union-attr]
        ("get_weather", {"city": "Paris"})
    ]


def test_a_streamed_call_arrives_as_tool_call_deltas() -> None:
    frames = completions.chat_stream(_Replies(CALL), _call(tools=TOOLS))
    chunks = [
        ChatCompletionChunk.model_validate(json.loads(f.removeprefix("data: ")))
        for f in frames
        if f != completions.DONE
    ]
    deltas = [t for c in chunks for t in c.choices[0].delta.tool_calls or []]
    assert [(d.index, d.function.name) for d in deltas] == [(0, "get_weather")]  # type: ignore[union-attr]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_without_tools_or_with_tool_choice_none_the_text_is_left_alone() -> None:
    for call in (_call(), _call(tools=TOOLS, tool_choice="none")):
        assert call.generation.tools is None
        whole = completions.chat_completion(_Replies(CALL), call)
        assert whole["choices"][0]["message"]["content"] == CALL
        assert "tool_calls" not in whole["choices"][0]["message"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_openai_package_sends_tools_and_tool_turns(
    live: LiveServer, tiny_llama_dir: Path
) -> None:
    client = sdk(live)
    messages = [
        *ASKED,
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_0", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": "SUNNY 21C"},
    ]  # fmt: skip
    whole = client.chat.completions.create(
        model="tiny",
        messages=messages,
        tools=TOOLS,
        max_tokens=6,
        temperature=0,
    )
    assert whole.choices[0].finish_reason in {"length", "stop", "tool_calls"}
    streamed = list(client.chat.completions.create(
        model="tiny", messages=messages, tools=TOOLS, max_tokens=6, temperature=0, stream=True,
    ))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert text == (whole.choices[0].message.content or "")  # greedy: same answer either way
    with pytest.raises(Exception) as refused:
        client.chat.completions.create(
            model="tiny",
            messages=ASKED,
            tools=TOOLS,
            tool_choice="required",
        )
    assert "tool_choice" in str(refused.value)
