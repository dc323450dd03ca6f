"""/api/v1/audit: the audit trail, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from easytune.api.deps import SessionDep, require
from easytune.api.schemas.audit import AuditEventPublic, AuditEventsPublic
from easytune.api.schemas.common import ERROR_RESPONSES, Offset
from easytune.core import audit
from easytune.core.permissions import Permission

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("", dependencies=[require(Permission.AUDIT_READ)])
def list_events(
    session: SessionDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    action: Annotated[
        str | None, Query(max_length=64, description="Exact action, or a prefix ending in '.'")
    ] = None,
) -> AuditEventsPublic:
    """A page of audit events."""
    rows, total = audit.page(session, offset, limit, action)
    return AuditEventsPublic(data=[AuditEventPublic.model_validate(r) for r in rows], count=total)
