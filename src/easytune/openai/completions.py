"""Chat completions and completions as OpenAI's objects: whole answers, or `data:` chunks ending
with `data: [DONE]`."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from easytune.core.inference import GenerationRequest, InferenceCache, Target
from easytune.openai.generation import Generation
from easytune.openai.schemas import ChatCompletionRequest, CompletionRequest, SamplingRequest
from easytune.training.data.tooltemplate import parse_tool_calls

CHAT_DEFAULT_TOKENS = 256
COMPLETION_DEFAULT_TOKENS = 16  # OpenAI's default for /v1/completions
DONE = "data: [DONE]\n\n"


@dataclass(frozen=True)
class Call:
    """One request to answer: the model's /v1 id, what to generate with, the parsed body."""

    model: str
    target: Target
    body: SamplingRequest
    generation: GenerationRequest


def chat_call(model: str, target: Target, body: ChatCompletionRequest) -> Call:
    """A chat completion request mapped onto the playground's GenerationRequest."""
    request = GenerationRequest(
        [m.as_chat() for m in body.messages], body.token_limit(CHAT_DEFAULT_TOKENS),
        body.temperature, body.top_p, body.seed, tools=body.offered_tools(),
    )  # fmt: skip
    return Call(model, target, body, request)


def completion_call(model: str, target: Target, body: CompletionRequest) -> Call:
    """A text completion request: the prompt goes to the model as it is, no chat template."""
    request = GenerationRequest(
        [], body.token_limit(COMPLETION_DEFAULT_TOKENS), body.temperature, body.top_p,
        body.seed, prompt=body.text(),
    )  # fmt: skip
    return Call(model, target, body, request)


def _run(cache: InferenceCache, call: Call) -> Generation:
    return Generation(cache, call.target, call.generation, call.body.stops())


def _head(kind: str, call: Call, ident: str) -> dict[str, Any]:
    return {"id": ident, "object": kind, "created": int(time.time()), "model": call.model}


def chat_completion(cache: InferenceCache, call: Call) -> dict[str, Any]:
    """The whole chat.completion object."""
    run = _run(cache, call)
    message, finish = _assistant(call, run.text(), run.finish_reason)
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
    head = _head("chat.completion", call, _new_id("chatcmpl"))
    return {**head, "choices": [choice], "usage": run.usage(), "system_fingerprint": None}


def text_completion(cache: InferenceCache, call: Call) -> dict[str, Any]:
    """The whole text_completion object."""
    run = _run(cache, call)
    choice = {"index": 0, "text": run.text(), "logprobs": None,
              "finish_reason": run.finish_reason}  # fmt: skip
    head = _head("text_completion", call, _new_id("cmpl"))
    return {**head, "choices": [choice], "usage": run.usage()}


def _assistant(call: Call, text: str, finish: str) -> tuple[dict[str, Any], str]:
    """The assistant message and finish reason; with tools offered, the calls the model made
    are cut out of the text into `tool_calls` (finish_reason "tool_calls")."""
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    if not call.generation.tools:
        return message, finish
    rest, calls = parse_tool_calls(text)
    if not calls:
        return {**message, "content": rest}, finish
    return {**message, "content": rest or None, "tool_calls": calls}, "tool_calls"


def _chunk_choice(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}


def chat_stream(cache: InferenceCache, call: Call) -> Iterator[str]:
    """chat.completion.chunk frames: the role, content pieces, the finish reason, [usage]."""
    if call.generation.tools:
        return _tool_stream(cache, call)
    choice = _chunk_choice
    first = choice({"role": "assistant", "content": ""}, None)
    return _stream(cache, call, "chat.completion.chunk", "chatcmpl", first,
                   lambda text: choice({"content": text}, None),
                   lambda reason: choice({}, reason))  # fmt: skip


def _tool_stream(cache: InferenceCache, call: Call) -> Iterator[str]:
    """With tools offered a call can only be told apart once the answer is whole, so the
    answer comes as one content chunk and one chunk of indexed tool_calls deltas."""
    head = _head("chat.completion.chunk", call, _new_id("chatcmpl"))
    extra = {"usage": None} if call.body.include_usage() else {}
    run = _run(cache, call)
    message, finish = _assistant(call, run.text(), run.finish_reason)
    yield _data({**head, "choices": [_chunk_choice({"role": "assistant", "content": ""}, None)],
                 **extra})  # fmt: skip
    if message["content"]:
        yield _data({**head, "choices": [_chunk_choice({"content": message["content"]}, None)],
                     **extra})  # fmt: skip
    if calls := message.get("tool_calls"):
        deltas = [{"index": i, **c} for i, c in enumerate(calls)]
        yield _data({**head, "choices": [_chunk_choice({"tool_calls": deltas}, None)], **extra})
    yield _data({**head, "choices": [_chunk_choice({}, finish)], **extra})
    if extra:
        yield _data({**head, "choices": [], "usage": run.usage()})
    yield DONE


def completion_stream(cache: InferenceCache, call: Call) -> Iterator[str]:
    """text_completion frames: text pieces, the finish reason, [usage]."""

    def choice(text: str, finish: str | None) -> dict[str, Any]:
        return {"index": 0, "text": text, "logprobs": None, "finish_reason": finish}

    return _stream(cache, call, "text_completion", "cmpl", None,
                   lambda text: choice(text, None), lambda reason: choice("", reason))  # fmt: skip


def _stream(
    cache: InferenceCache, call: Call, kind: str, prefix: str, first: dict[str, Any] | None,
    piece: Callable[[str], dict[str, Any]], last: Callable[[str], dict[str, Any]],
) -> Iterator[str]:  # fmt: skip
    head = _head(kind, call, _new_id(prefix))
    usage = call.body.include_usage()
    extra = {"usage": None} if usage else {}
    run = _run(cache, call)
    if first is not None:
        yield _data({**head, "choices": [first], **extra})
    for text in run.pieces():
        yield _data({**head, "choices": [piece(text)], **extra})
    yield _data({**head, "choices": [last(run.finish_reason)], **extra})
    if usage:
        yield _data({**head, "choices": [], "usage": run.usage()})
    yield DONE


def _data(obj: dict[str, Any]) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"
