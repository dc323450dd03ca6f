"""Queries for job events and metrics: append (idempotent on replay) and list (for streaming)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from easytune.db.base import utcnow
from easytune.db.models.jobs import EventLevel, Job, JobEvent, JobMetric
from easytune.i18n import Msg
from easytune.jobs.eta import add_sample
from easytune.jobs.progress import EventItem, MetricItem

# Upserts are dialect-specific in SQLAlchemy; both dialects share the ON CONFLICT API.
_INSERTS: dict[str, Callable[[Table], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


@dataclass(frozen=True)
class SourcedEvent:
    """An event read from a child, keyed by where it came from so a replay is a no-op."""

    source: str
    item: EventItem


def add_event(
    session: Session,
    job: Job,
    level: EventLevel,
    message: str | Msg,
    data: dict[str, Any] | None = None,
    coded: Msg | None = None,
) -> None:
    """Append one event written by the platform itself (not read from the child); a coded
    message gives the event its code and params (`coded` for a text already rendered)."""
    seq = _allocate_seqs(session, job.id, 1)
    coded = message if isinstance(message, Msg) else coded
    plain = coded.to_dict() if coded else {"code": None, "params": None}
    session.add(
        JobEvent(
            job_id=job.id,
            seq=seq[0],
            attempt=job.attempt,
            level=level,
            message=str(message),
            data=data or {},
            code=plain["code"],
            params=plain["params"],
            created_at=utcnow(),
        )
    )


def add_child_events(
    session: Session, job_id: int, attempt: int, events: Sequence[SourcedEvent]
) -> None:
    """Append events read from a child; one already stored under its source is skipped."""
    if not events:
        return
    seqs = _allocate_seqs(session, job_id, len(events))
    now = utcnow()
    rows = [
        {
            "job_id": job_id,
            "seq": seq,
            "attempt": attempt,
            "level": event.item.level.value,
            "message": event.item.message,
            "data": event.item.data,
            "code": event.item.code,
            "params": event.item.params,
            "source": event.source,
            "created_at": now,
        }
        for seq, event in zip(seqs, events, strict=True)
    ]
    # Gaps in seq after a skipped replay are fine: readers only need it to increase.
    session.execute(_insert(session, JobEvent).values(rows).on_conflict_do_nothing())


def upsert_metrics(
    session: Session, job_id: int, attempt: int, metrics: Sequence[MetricItem]
) -> None:
    """Store metric lines; a step seen again (replay, resume) overwrites its earlier values."""
    latest = {(m.step, m.kind): m for m in metrics}  # the last line of a batch wins
    if not latest:
        return
    now = utcnow()
    rows = [_metric_row(job_id, attempt, item, now) for item in latest.values()]
    stmt = _insert(session, JobMetric).values(rows)
    updated = {name: stmt.excluded[name] for name in (*_VALUE_COLUMNS, "attempt", "created_at")}
    session.execute(
        stmt.on_conflict_do_update(index_elements=["job_id", "step", "kind"], set_=updated)
    )


_VALUE_COLUMNS = ("epoch", "loss", "eval_loss", "lr", "tokens_per_s", "cf_score", "extra")


def _metric_row(job_id: int, attempt: int, item: MetricItem, now: Any) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "step": item.step,
        "kind": item.kind,
        "attempt": attempt,
        **item.values,
        "extra": item.extra,
        "created_at": now,
    }


def note_progress(
    session: Session,
    job: Job,
    events: Sequence[SourcedEvent],
    metrics: Sequence[MetricItem],
    now: datetime | None = None,
) -> None:
    """Fold a batch into `job.progress`: total and start step from the "training started"
    event (an export's stage events carry stage and step), the newest train step and epoch
    from the metrics, and the recent-pace window."""
    now = now or utcnow()
    progress = dict(job.progress or {})
    for event in events:
        if "total_steps" in event.item.data:
            progress["total_steps"] = event.item.data["total_steps"]
            progress["start_step"] = event.item.data.get("start_step", 0)
            progress["step"] = progress["start_step"]
            progress["recent"] = add_sample([], progress["step"], now.timestamp())
        if "stage" in event.item.data:  # exports report named stages, not training steps
            progress["stage"] = event.item.data["stage"]
            progress["step"] = int(event.item.data.get("step", 0))
    train = [m for m in metrics if m.kind == "train"]
    if train:
        newest = max(train, key=lambda m: m.step)
        if newest.step >= progress.get("step", 0):
            progress["step"] = newest.step
            progress["epoch"] = newest.values.get("epoch")
            recent = progress.get("recent", [])
            progress["recent"] = add_sample(recent, newest.step, now.timestamp())
    if progress != (job.progress or {}):
        progress["updated_at"] = now.isoformat()
        job.progress = progress


def list_events(
    session: Session, job_id: int, *, after_seq: int = 0, limit: int = 500
) -> list[JobEvent]:
    """Events with seq > after_seq, oldest first (poll or stream with the last seq seen)."""
    stmt = (
        select(JobEvent)
        .where(JobEvent.job_id == job_id, JobEvent.seq > after_seq)
        .order_by(JobEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def list_metrics(
    session: Session, job_id: int, *, after_step: int = -1, limit: int = 5000
) -> list[JobMetric]:
    """Metric rows with step > after_step, by step then kind."""
    stmt = (
        select(JobMetric)
        .where(JobMetric.job_id == job_id, JobMetric.step > after_step)
        .order_by(JobMetric.step, JobMetric.kind)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _allocate_seqs(session: Session, job_id: int, count: int) -> list[int]:
    # One atomic UPDATE ... RETURNING: on PostgreSQL it row-locks the job until commit, so the
    # worker and an API request appending at the same time never hand out the same seq.
    last = session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(event_seq=Job.event_seq + count)
        .returning(Job.event_seq)
    ).scalar_one()
    return list(range(last - count + 1, last + 1))


def _insert(session: Session, model: type[JobEvent] | type[JobMetric]) -> Any:
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"unsupported database {dialect!r}; use SQLite or PostgreSQL")
    return _INSERTS[dialect](table)
