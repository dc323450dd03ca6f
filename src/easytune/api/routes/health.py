"""/healthz (the process answers) and /readyz (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from easytune.api.deps import public
from easytune.api.schemas.common import ErrorResponse
from easytune.core.errors import ServiceUnavailable

router = APIRouter(tags=["health"], dependencies=[public()])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"model": ErrorResponse}})
def readyz(request: Request) -> dict[str, str]:
    """Readiness: the database is reachable."""
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(f"database unreachable: {type(exc).__name__}") from None
    return {"status": "ready"}
