"""/api/v1/playground: try a base model or an adapter (side by side with its base)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from fastapi import APIRouter, Request
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import StreamingResponse

from easytune.api.deps import CurrentUser, SessionDep, require
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.playground import GenerateRequest, GenerateResponse
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
    body: GenerateRequest, request: Request, session: SessionDep, user: CurrentUser
) -> GenerateResponse | StreamingResponse:
    """An answer to `messages`; with `stream`, SSE `token` events then `done`."""
    target = await run_in_threadpool(playground.target_for, session, user, body.model_id)
    cache = request.app.state.inference
    generation = GenerationRequest(
        [m.model_dump() for m in body.messages], body.max_new_tokens, body.temperature
    )
    if body.stream:
        frames = playground.stream(cache, target, generation, body.compare_base)
        return StreamingResponse(_until_gone(frames, generation), media_type="text/event-stream")
    result = await run_in_threadpool(
        playground.answer, cache, target, generation, body.compare_base
    )
    return GenerateResponse.model_validate(result, from_attributes=True)


async def _until_gone(frames: Iterator[str], generation: GenerationRequest) -> AsyncIterator[str]:
    """The frames; when the client goes away Starlette cancels this, and the model stops
    generating at its next token instead of finishing an answer nobody reads."""
    try:
        async for frame in iterate_in_threadpool(frames):
            yield frame
    finally:
        generation.stop.set()
