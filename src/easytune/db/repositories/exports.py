"""Queries on the exports of adapters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from easytune.db.models import ExportRecord


def get(session: Session, export_id: str) -> ExportRecord | None:
    """The export with this id, or None."""
    return session.get(ExportRecord, export_id)


def get_by_job(session: Session, job_id: int) -> ExportRecord | None:
    """The export a job produced, if registered."""
    query = select(ExportRecord).where(ExportRecord.job_id == job_id)
    return session.scalars(query).one_or_none()


def add(session: Session, record: ExportRecord) -> ExportRecord:
    """Insert and flush."""
    session.add(record)
    session.flush()
    return record


def of_model(session: Session, model_id: str, owner_id: int | None) -> list[ExportRecord]:
    """Exports of one adapter, newest first; only `owner_id`'s unless None (admins)."""
    query = select(ExportRecord).where(ExportRecord.model_id == model_id)
    if owner_id is not None:
        query = query.where(ExportRecord.owner_id == owner_id)
    order = (ExportRecord.created_at.desc(), ExportRecord.id)
    return list(session.scalars(query.order_by(*order)))


def delete(session: Session, record: ExportRecord) -> None:
    """Delete the row."""
    session.delete(record)
    session.flush()
