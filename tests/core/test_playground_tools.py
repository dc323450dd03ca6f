"""Playground with tools: offered through the template (or its text fallback), calls returned."""
# mypy: disable-error-code="arg-type"
# Tool turns written as plain dicts.

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.training.data.test_data_tools import TOOL_TEMPLATE, WEATHER

from easytune.core import playground
from easytune.core.inference import Finish, GenerationRequest, Target, _prompt
from easytune.testing.tiny import build_tokenizer
from easytune.training.spec import ModelRef

TOOLS = [{"type": "function", "function": WEATHER}]
ASKED = [{"role": "user", "content": "Weather in Paris?"}]
CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'


def _prompt_text(tokenizer: Any, request: GenerationRequest) -> str:
    return str(tokenizer.decode(_prompt(tokenizer, request)["input_ids"][0]))


def test_tools_go_through_a_tool_aware_template() -> None:
    tokenizer = build_tokenizer()
    tokenizer.chat_template = TOOL_TEMPLATE
    follow_up = [
        *ASKED,
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "content": "SUNNY 21C", "tool_call_id": "c1"},
    ]  # fmt: skip
    text = _prompt_text(tokenizer, GenerationRequest(follow_up, tools=TOOLS))
    assert "<tools>" in text and '"name": "get_weather"' in text
    assert '{"name": "get_weather", "arguments": {"city": "Paris"}}' in text
    assert text.endswith("<|im_start|>tool\nSUNNY 21C<|im_end|>\n<|im_start|>assistant\n")


def test_a_template_without_tools_gets_them_described_in_text() -> None:
    text = _prompt_text(build_tokenizer(), GenerationRequest(ASKED, tools=TOOLS))
    assert text.startswith("<|im_start|>system\nYou can call these tools")
    assert "get_weather" in text and text.endswith("<|im_start|>assistant\n")
    plain = _prompt_text(build_tokenizer(), GenerationRequest(ASKED))
    assert "tools" not in plain  # without tools the prompt is unchanged


class _Replies:
    """The model's raw text, fixed, to check what the playground makes of it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def generate(
        self,
        target: Target,
        request: GenerationRequest,
        *,
        base: bool = False,
        finish: Finish | None = None,
    ) -> Iterator[str]:
        yield from self.text
        if finish is not None:
            finish.reason = "stop"


def test_calls_the_model_emits_come_back_as_tool_calls() -> None:
    target = Target("mdl_base", ModelRef(path="/unused"))
    with_tools = GenerationRequest(ASKED, tools=TOOLS)
    answer = playground.answer(_Replies(f"Checking.\n{CALL}"), target, with_tools, False)
    assert answer.answer == "Checking."
    assert answer.tool_calls == [{"id": "call_0", "type": "function", "function": {
        "name": "get_weather", "arguments": '{"city": "Paris"}'}}]  # fmt: skip
    plain = playground.answer(_Replies(CALL), target, GenerationRequest(ASKED), False)
    assert plain.answer == CALL and plain.tool_calls is None  # no tools offered: text as is


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_api_accepts_tools_and_tool_turns(client_as: Any, registered: dict[str, str]) -> None:
    messages = [
        *ASKED,
        {"role": "assistant", "tool_calls": [{"type": "function", "function": {
            "name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "content": "SUNNY 21C"},
    ]  # fmt: skip
    body = {"model_id": registered["model"], "messages": messages, "tools": TOOLS,
            "max_new_tokens": 8}  # fmt: skip
    response = client_as("engineer").post("/api/v1/playground/generate", json=body)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["tool_calls"], list)  # a random tiny model calls nothing
