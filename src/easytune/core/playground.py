"""The playground: answer chat messages with a base model or an adapter, optionally next to
the base model's answer, as text or as a stream of pieces."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import models
from easytune.core.errors import Conflict
from easytune.core.inference import GenerationRequest, InferenceCache, Target
from easytune.db.models import ModelKind, User


@dataclass(frozen=True)
class Answer:
    model_id: str
    answer: str
    base_answer: str | None


def target_for(session: Session, user: User, model_id: str) -> Target:
    """The base model (and adapter) to answer with, if `user` may see it."""
    model = models.get_model(session, user, model_id)
    if model.kind == ModelKind.BASE:
        return Target(model.id, models.ref_of(model))
    if model.base_model_id is None:
        raise Conflict(f"adapter {model_id} has lost its base model; retrain it", param="model_id")
    base = models.get_model(session, user, model.base_model_id)
    return Target(base.id, models.ref_of(base), model.id, model.path)


def answer(
    cache: InferenceCache, target: Target, request: GenerationRequest, compare_base: bool
) -> Answer:
    """The whole answer (and the base model's, when asked and the target is an adapter)."""
    text = "".join(cache.generate(target, request))
    base = _wants_base(target, compare_base)
    base_text = "".join(cache.generate(target, request, base=True)) if base else None
    return Answer(target.adapter_id or target.base_id, text, base_text)


def stream(
    cache: InferenceCache, target: Target, request: GenerationRequest, compare_base: bool
) -> Iterator[str]:
    """SSE frames: `token` pieces ({"which": "model"|"base", "text"}), then `done`."""
    answers: dict[str, str] = {"model": ""}
    passes = [("model", False)] + ([("base", True)] if _wants_base(target, compare_base) else [])
    for which, base in passes:
        if request.stop.is_set():
            return
        answers[which] = ""
        for piece in cache.generate(target, request, base=base):
            answers[which] += piece
            yield _frame("token", {"which": which, "text": piece})
    done = {"model_id": target.adapter_id or target.base_id, "answer": answers["model"],
            "base_answer": answers.get("base")}  # fmt: skip
    yield _frame("done", done)


def _wants_base(target: Target, compare_base: bool) -> bool:
    return compare_base and target.adapter_id is not None


def _frame(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
