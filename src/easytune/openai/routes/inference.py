"""/v1/models, /v1/chat/completions and /v1/completions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from easytune.api.deps import CurrentUser, InferenceDep, SessionDep, require
from easytune.api.streaming import until_gone
from easytune.core.inference import InferenceCache
from easytune.core.permissions import Permission
from easytune.openai import catalog, completions
from easytune.openai.completions import Call
from easytune.openai.schemas import ChatCompletionRequest, CompletionRequest

router = APIRouter(tags=["openai"])
READ = [require(Permission.MODELS_READ)]
GENERATE = [require(Permission.PLAYGROUND_USE)]
SSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/event-stream": {}}}}


def _model_object(found: catalog.PublicModel) -> dict[str, Any]:
    record = found.record
    return {
        "id": found.id, "object": "model", "created": int(record.created_at.timestamp()),
        "owned_by": f"user-{record.owner_id}" if record.owner_id else "easytune",
        "parent": found.parent, "easytune_id": record.id, "kind": record.kind,
    }  # fmt: skip


@router.get("/models", dependencies=READ)
def list_models(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """The base models and adapters you may use (adapters as ft:<base>:<name>:v<N>)."""
    data = [_model_object(m) for m in catalog.list_public(session, user)]
    return {"object": "list", "data": data}


@router.get("/models/{model:path}", dependencies=READ)
def get_model(model: str, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """One model by its /v1 id or registry id; 404 model_not_found otherwise."""
    return _model_object(catalog.find(session, user, model))


@router.post("/chat/completions", dependencies=GENERATE, responses=SSE)
async def chat_completions(
    body: ChatCompletionRequest, session: SessionDep, user: CurrentUser, cache: InferenceDep
) -> Any:
    """Answer chat messages with a base model or an adapter; `stream` sends `data:` chunks."""
    found, target = await run_in_threadpool(catalog.target, session, user, body.model)
    call = completions.chat_call(found.id, target, body)
    return await _answer(cache, call, completions.chat_completion, completions.chat_stream)


@router.post("/completions", dependencies=GENERATE, responses=SSE)
async def text_completions(
    body: CompletionRequest, session: SessionDep, user: CurrentUser, cache: InferenceDep
) -> Any:
    """Continue a prompt (no chat template); `stream` sends `data:` chunks."""
    found, target = await run_in_threadpool(catalog.target, session, user, body.model)
    call = completions.completion_call(found.id, target, body)
    return await _answer(cache, call, completions.text_completion, completions.completion_stream)


async def _answer(
    cache: InferenceCache,
    call: Call,
    whole: Callable[[Any, Call], dict[str, Any]],
    stream: Callable[[Any, Call], Iterator[str]],
) -> Any:
    if call.body.stream:
        frames = until_gone(stream(cache, call), call.generation.stop)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(frames, media_type="text/event-stream", headers=headers)
    return await run_in_threadpool(whole, cache, call)
