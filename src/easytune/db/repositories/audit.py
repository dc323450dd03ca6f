"""Queries on the audit trail and on login throttle counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from easytune.db.base import utcnow
from easytune.db.models import AuditEvent, LoginThrottle


def add_event(session: Session, event: AuditEvent) -> None:
    """Append an audit row."""
    session.add(event)
    session.flush()


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to show: an action (or a prefix ending in '.'), an actor, a target, a time."""

    action: str | None = None
    actor: str | None = None  # a username (also of users since deleted)
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def page_events(
    session: Session, offset: int, limit: int, where: AuditFilter | None = None
) -> tuple[list[AuditEvent], int]:
    """Newest events first, those matching `where`."""
    query = select(AuditEvent).where(*_conditions(where or AuditFilter()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def _conditions(where: AuditFilter) -> list[ColumnElement[bool]]:
    action = where.action
    found: list[ColumnElement[bool] | None] = [
        (AuditEvent.action.startswith(action, autoescape=True) if action.endswith(".")
         else AuditEvent.action == action) if action else None,
        AuditEvent.actor_username == where.actor if where.actor else None,
        AuditEvent.target_type == where.target_type if where.target_type else None,
        AuditEvent.target_id == where.target_id if where.target_id else None,
        AuditEvent.created_at >= where.since if where.since else None,
        AuditEvent.created_at < where.until if where.until else None,
    ]  # fmt: skip
    return [condition for condition in found if condition is not None]


def throttles_for_update(session: Session, keys: list[str]) -> dict[str, LoginThrottle]:
    """Counter rows for `keys`, created if missing and locked for this transaction."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    session.execute(
        insert(LoginThrottle)
        .values([{"key": key, "failures": 0, "window_started_at": now} for key in keys])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).with_for_update()
    return {row.key: row for row in session.scalars(query)}


def get_throttles(session: Session, keys: list[str]) -> list[LoginThrottle]:
    """Existing counter rows for `keys` (read-only check before a login attempt)."""
    return list(session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))))


def clear_throttle(session: Session, key: str) -> None:
    """Forget the counter for `key` (after a successful login)."""
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)
        session.flush()
