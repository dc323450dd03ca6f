"""/api/v1/audit: the audit trail, newest first, filtered by action, user, target and time.

Read-only by design: there is no route that changes or removes a row, for admins either, and
the database refuses UPDATE and DELETE on the table (easytune.db.audit_guard)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from easytune.api.deps import SessionDep, require
from easytune.api.schemas.audit import AuditEventPublic, AuditEventsPublic
from easytune.api.schemas.common import ERROR_RESPONSES, Offset
from easytune.core import audit
from easytune.core.errors import ValidationFailed
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
    user: Annotated[str | None, Query(max_length=64, description="Who acted (username)")] = None,
    target_type: Annotated[str | None, Query(max_length=32, examples=["model"])] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(description="From this time (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (ISO 8601)")] = None,
) -> AuditEventsPublic:
    """A page of audit events."""
    if since and until and since >= until:
        raise ValidationFailed("since must be before until", param="since")
    where = audit.AuditFilter(action, user, target_type, target_id, _utc(since), _utc(until))
    rows, total = audit.page(session, offset, limit, where)
    return AuditEventsPublic(data=[AuditEventPublic.model_validate(r) for r in rows], count=total)


def _utc(moment: datetime | None) -> datetime | None:
    """Naive times are read as UTC, like the stored ones."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
