"""/api/v1/playground: try a base model or an adapter (side by side with its base)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from easytune.api.capacity import SlotStream
from easytune.api.deps import (
    AppStateDep,
    CurrentUser,
    SessionDep,
    SettingsDep,
    release_database,
    require,
)
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.playground import GenerateRequest, GenerateResponse
from easytune.api.streaming import until_gone
from easytune.core import playground
from easytune.core.inference import GenerationRequest
from easytune.core.permissions import Permission

router = APIRouter(prefix="/playground", tags=["playground"], responses=ERROR_RESPONSES)


@router.post(
    "/generate",
    dependencies=[require(Permission.PLAYGROUND_USE)],
    response_model=GenerateResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def generate(
    body: GenerateRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    state: AppStateDep,
) -> GenerateResponse | StreamingResponse:
    """An answer to `messages`; with `stream`, SSE `token` events then `done`."""
    target = await run_in_threadpool(playground.target_for, session, user, body.model_id)
    await run_in_threadpool(release_database, request, session)  # generation needs no slot
    cache = state.inference
    generation = GenerationRequest(
        [m.model_dump(exclude_none=True) for m in body.messages],
        body.max_new_tokens,
        body.temperature,
        tools=body.tools,
        max_prompt_tokens=settings.playground_max_prompt_tokens,
    )
    release = state.generations.acquire(user.id)
    try:
        await run_in_threadpool(playground.check_prompt, cache, target, generation)
        if body.stream:
            frames = playground.stream(cache, target, generation, body.compare_base)
            media = "text/event-stream"
            return SlotStream(until_gone(frames, generation.stop), release, media_type=media)
        result = await run_in_threadpool(
            playground.answer, cache, target, generation, body.compare_base
        )
    except BaseException:
        release()
        raise
    release()
    return GenerateResponse.model_validate(result, from_attributes=True)
