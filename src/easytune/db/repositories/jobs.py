"""Read queries on jobs for the API (the queue's own queries live in easytune.jobs.repository)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from easytune.db.models import Job, JobKind, JobMetric, JobStatus


def page(
    session: Session, owner_id: int | None, status: JobStatus | None, offset: int, limit: int,
    name: str | None = None,
) -> tuple[list[Job], int]:  # fmt: skip
    """Newest first, optionally of one owner and one status, with `name` in the job's name,
    and the total matching."""
    query: Select[Any] = select(Job)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    if status is not None:
        query = query.where(Job.status == status)
    if name:
        query = query.where(Job.name.ilike(f"%{name}%"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Job.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def older_than(
    session: Session,
    owner_id: int | None,
    before_id: int | None,
    limit: int,
    kind: JobKind | None = None,
) -> list[Job]:
    """Up to `limit` jobs (of one owner, or all; of one kind, or all) with ids below
    `before_id`, newest first."""
    query: Select[Any] = select(Job)
    if kind is not None:
        query = query.where(Job.kind == kind)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    if before_id is not None:
        query = query.where(Job.id < before_id)
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit)))


def metrics_after(
    session: Session, job_id: int, after_id: int, limit: int = 1000
) -> list[JobMetric]:
    """Metric rows added after row `after_id` (a stream cursor that also sees a later eval row
    at an already-sent step), in insertion order."""
    query = (
        select(JobMetric)
        .where(JobMetric.job_id == job_id, JobMetric.id > after_id)
        .order_by(JobMetric.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_by_status(session: Session, owner_id: int | None) -> dict[str, int]:
    """How many jobs are in each status (of one owner, or everyone's)."""
    query = select(Job.status, func.count()).group_by(Job.status)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    return {str(status): count for status, count in session.execute(query)}
