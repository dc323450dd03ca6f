"""Queries on the audit trail and on login throttle counters."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from easytune.db.base import utcnow
from easytune.db.models import AuditEvent, LoginThrottle


def add_event(session: Session, event: AuditEvent) -> None:
    """Append an audit row."""
    session.add(event)
    session.flush()


def page_events(
    session: Session, offset: int, limit: int, action: str | None = None
) -> tuple[list[AuditEvent], int]:
    """Newest events first, optionally of one action (or an action prefix ending in '.')."""
    query = select(AuditEvent)
    if action:
        query = query.where(
            AuditEvent.action.startswith(action)
            if action.endswith(".")
            else AuditEvent.action == action
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


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
