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
        body.temperature, body.top_p, body.seed,
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
    message = {"role": "assistant", "content": run.text(), "refusal": None}
    choice = {"index": 0, "message": message, "logprobs": None,
              "finish_reason": run.finish_reason}  # fmt: skip
    head = _head("chat.completion", call, _new_id("chatcmpl"))
    return {**head, "choices": [choice], "usage": run.usage(), "system_fingerprint": None}


def text_completion(cache: InferenceCache, call: Call) -> dict[str, Any]:
    """The whole text_completion object."""
    run = _run(cache, call)
    choice = {"index": 0, "text": run.text(), "logprobs": None,
              "finish_reason": run.finish_reason}  # fmt: skip
    head = _head("text_completion", call, _new_id("cmpl"))
    return {**head, "choices": [choice], "usage": run.usage()}


def chat_stream(cache: InferenceCache, call: Call) -> Iterator[str]:
    """chat.completion.chunk frames: the role, content pieces, the finish reason, [usage]."""

    def choice(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

    first = choice({"role": "assistant", "content": ""}, None)
    return _stream(cache, call, "chat.completion.chunk", "chatcmpl", first,
                   lambda text: choice({"content": text}, None),
                   lambda reason: choice({}, reason))  # fmt: skip


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
