"""Queries on the workers table (which jobs each runs: easytune.jobs.repository.busy_slots)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from easytune.db.models import WorkerRecord


def beat(
    session: Session, name: str, executor: str, slots: int, hardware: dict[str, Any] | None,
    now: datetime,
) -> None:  # fmt: skip
    """Insert the worker or refresh its row (a name is host:pid, so only it writes its row)."""
    row = session.get(WorkerRecord, name)
    if row is None:
        row = WorkerRecord(name=name, hostname=name.rsplit(":", 1)[0], started_at=now)
        session.add(row)
    row.executor, row.slots, row.last_seen_at, row.stopped_at = executor, slots, now, None
    if hardware is not None:
        row.hardware = hardware


def stopped(session: Session, name: str, now: datetime) -> None:
    """Mark the worker stopped (a clean shutdown)."""
    row = session.get(WorkerRecord, name)
    if row is not None:
        row.stopped_at = row.last_seen_at = now


def seen_since(session: Session, since: datetime) -> list[WorkerRecord]:
    """Workers heard from after `since`, by name."""
    query = select(WorkerRecord).where(WorkerRecord.last_seen_at >= since)
    return list(session.scalars(query.order_by(WorkerRecord.name)))
