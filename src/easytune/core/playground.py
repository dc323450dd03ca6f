"""The playground: answer chat messages with a base model or an adapter, optionally next to
the base model's answer, as text or as a stream of pieces."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import models
from easytune.core.errors import Conflict, ValidationFailed
from easytune.core.inference import Finish, GenerationRequest, InferenceCache, Target
from easytune.db.models import ModelKind, User
from easytune.training.data.tooltemplate import parse_tool_calls


@dataclass(frozen=True)
class Answer:
    model_id: str
    answer: str
    base_answer: str | None
    finish_reason: str | None = None
    base_finish_reason: str | None = None
    # With tools offered: the calls the model made (OpenAI's shape), cut out of the answer.
    tool_calls: list[dict[str, Any]] | None = None
    base_tool_calls: list[dict[str, Any]] | None = None


def target_for(session: Session, user: User, model_id: str) -> Target:
    """The base model (and adapter) to answer with, if `user` may see it."""
    model = models.get_model(session, user, model_id)
    if model.kind == ModelKind.BASE:
        return Target(model.id, models.ref_of(model))
    if model.base_model_id is None:
        raise Conflict(f"adapter {model_id} has lost its base model; retrain it", param="model_id")
    models.check_usable(model)
    base = models.get_model(session, user, model.base_model_id)
    return Target(base.id, models.ref_of(base), model.id, model.path)


def check_prompt(cache: InferenceCache, target: Target, request: GenerationRequest) -> None:
    """422 when the prompt is longer than the cap (setting, and the model's context)."""
    tokens, allowed = cache.prompt_room(target, request)
    if tokens > allowed:
        raise ValidationFailed(
            f"the messages are {tokens} tokens; at most {max(allowed, 0)} fit (the model's "
            "context less max_new_tokens, and EASYTUNE_PLAYGROUND_MAX_PROMPT_TOKENS): "
            "shorten or drop messages",
            param="messages",
        )


def answer(
    cache: InferenceCache, target: Target, request: GenerationRequest, compare_base: bool
) -> Answer:
    """The whole answer (and the base model's, when asked and the target is an adapter)."""
    finish, base_finish = Finish(), Finish()
    text = "".join(cache.generate(target, request, finish=finish))
    base = _wants_base(target, compare_base)
    base_text = (
        "".join(cache.generate(target, request, base=True, finish=base_finish)) if base else None
    )
    model_id = target.adapter_id or target.base_id
    return _answer(model_id, text, base_text, request, (finish.reason, base_finish.reason))


def _answer(
    model_id: str,
    text: str,
    base_text: str | None,
    request: GenerationRequest,
    reasons: tuple[str | None, str | None],
) -> Answer:
    if not request.tools:
        return Answer(model_id, text, base_text, *reasons)
    text, calls = parse_tool_calls(text)
    base_calls = None
    if base_text is not None:
        base_text, base_calls = parse_tool_calls(base_text)
    return Answer(model_id, text, base_text, *reasons, calls, base_calls)


def stream(
    cache: InferenceCache, target: Target, request: GenerationRequest, compare_base: bool
) -> Iterator[str]:
    """SSE frames: `token` pieces ({"which": "model"|"base", "text"}), then `done` with the
    answers, why each ended (`finish_reason`: "length" when cut at max_new_tokens) and, with
    tools offered, the calls cut out of them."""
    answers: dict[str, str] = {"model": ""}
    finishes = {"model": Finish(), "base": Finish()}
    passes = [("model", False)] + ([("base", True)] if _wants_base(target, compare_base) else [])
    for which, base in passes:
        if request.stop.is_set():
            return
        answers[which] = ""
        for piece in cache.generate(target, request, base=base, finish=finishes[which]):
            answers[which] += piece
            yield _frame("token", {"which": which, "text": piece})
    reasons = (finishes["model"].reason, finishes["base"].reason)
    model_id = target.adapter_id or target.base_id
    final = _answer(model_id, answers["model"], answers.get("base"), request, reasons)
    yield _frame("done", asdict(final))


def _wants_base(target: Target, compare_base: bool) -> bool:
    return compare_base and target.adapter_id is not None


def _frame(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
