"""/healthz (the process answers) and /readyz (the database answers).

Both stay off the shared pool and thread pool, so they answer while the API is saturated:
/healthz runs in the event loop, /readyz uses its own connection and its own thread limiter.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from easytune.api.deps import AppStateDep, public
from easytune.api.schemas.common import ErrorResponse
from easytune.core.errors import ServiceUnavailable

router = APIRouter(tags=["health"], dependencies=[public()])
READY_TIMEOUT_SECONDS = 5.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"model": ErrorResponse}})
async def readyz(state: AppStateDep) -> dict[str, str]:
    """Readiness: the database is reachable."""
    engine, limiter = state.probe_engine, state.probe_threads
    try:
        with anyio.fail_after(READY_TIMEOUT_SECONDS):
            await anyio.to_thread.run_sync(_ping, engine, abandon_on_cancel=True, limiter=limiter)
    except TimeoutError:
        raise ServiceUnavailable("database did not answer within 5 s") from None
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(f"database unreachable: {type(exc).__name__}") from None
    return {"status": "ready"}


def _ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
