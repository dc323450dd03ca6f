"""Audit trail schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from easytune.api.schemas.common import PublicSchema


class AuditEventPublic(PublicSchema):
    """One audit row."""

    id: int
    created_at: datetime
    action: str = Field(examples=["auth.login.failed"])
    actor_id: int | None
    actor_username: str | None
    target_type: str | None
    target_id: str | None
    client_address: str | None
    detail: dict[str, Any]


class AuditEventsPublic(PublicSchema):
    """A page of audit rows, newest first."""

    data: list[AuditEventPublic]
    count: int
