"""Every SQL query on jobs, their events and their metrics; nothing else.

Functions take a session and never commit: the caller (a request, the worker) owns the
transaction. Status changes, success hooks and lost-worker recovery are decisions, made in
easytune.jobs.service on the rows these queries return. On SQLite, callers that write must
open the transaction with BEGIN IMMEDIATE (the JobQueue does); on PostgreSQL, claims lock rows
with `FOR UPDATE SKIP LOCKED` and take a per-owner advisory lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from easytune.db import begin_immediate
from easytune.db.base import utcnow
from easytune.db.models.jobs import EventLevel, Job, JobEvent, JobKind, JobMetric, JobStatus
from easytune.i18n import Msg
from easytune.jobs.errors import JobNotFound
from easytune.jobs.progress import MetricItem, SourcedEvent
from easytune.jobs.status import ACTIVE

# A dataset these jobs read may not be deleted under them.
UNFINISHED = (
    JobStatus.VALIDATING_FILES,
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.CANCELLING,
)
# Namespace of the PostgreSQL advisory locks taken per job owner during a claim.
OWNER_LOCK_NAMESPACE = 0x6A6F62
# Upserts are dialect-specific in SQLAlchemy; both dialects share the ON CONFLICT API.
_INSERTS: dict[str, Callable[[Table], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}

# --- jobs -----------------------------------------------------------------------------------


def add(session: Session, job: Job) -> Job:
    """Insert and flush (the job gets its id)."""
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int, *, lock: bool = False) -> Job:
    """The job, optionally row-locked for update; JobNotFound when absent.

    On SQLite a lock means the database write lock: taken now (BEGIN IMMEDIATE) when the
    session has not started its transaction, else the caller must have begun it IMMEDIATE.
    """
    if lock and session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        begin_immediate(session)
    stmt = select(Job).where(Job.id == job_id)
    job = session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if job is None:
        raise JobNotFound(f"job {job_id} does not exist")
    return job


def find_locked(session: Session, job_id: int) -> Job | None:
    """The job row-locked for update, or None when there is no such job."""
    return session.scalars(select(Job).where(Job.id == job_id).with_for_update()).one_or_none()


def list_jobs(
    session: Session, *, owner_id: int | None = None, status: JobStatus | None = None
) -> list[Job]:
    """Jobs, newest first, optionally of one owner or one status."""
    stmt = select(Job).order_by(Job.id.desc())
    if owner_id is not None:
        stmt = stmt.where(Job.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    return list(session.scalars(stmt))


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


def count_by_status(session: Session, owner_id: int | None) -> dict[str, int]:
    """How many jobs are in each status (of one owner, or everyone's)."""
    query = select(Job.status, func.count()).group_by(Job.status)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    return {str(status): count for status, count in session.execute(query)}


def count_owned(session: Session, owner_id: int) -> int:
    """How many jobs `owner_id` owns, in any status."""
    return session.scalar(select(func.count()).where(Job.owner_id == owner_id)) or 0


def unfinished_on_dataset(session: Session, dataset_id: str) -> list[int]:
    """Ids of jobs not yet finished that train on this dataset."""
    query = select(Job.id).where(Job.dataset_id == dataset_id, Job.status.in_(UNFINISHED))
    return list(session.scalars(query.order_by(Job.id)))


# --- claiming and leases --------------------------------------------------------------------


def next_queued(session: Session, per_user_limit: int | None, skipped: set[int]) -> Job | None:
    """The best queued job (priority desc, queued_at asc) of an owner not in `skipped` nor
    at `per_user_limit`, row-locked; rows other claims hold are skipped."""
    stmt = select(Job).where(Job.status == JobStatus.QUEUED)
    if skipped:
        stmt = stmt.where(Job.owner_id.not_in(skipped))
    if per_user_limit is not None:
        stmt = stmt.where(Job.owner_id.not_in(_owners_at_limit(per_user_limit)))
    order = (Job.priority.desc(), Job.queued_at.asc(), Job.id.asc())
    return session.scalars(
        stmt.order_by(*order).limit(1).with_for_update(skip_locked=True, of=Job)
    ).first()


def _owners_at_limit(limit: int) -> Select[int]:
    return (
        select(Job.owner_id)
        .where(Job.status.in_(ACTIVE))
        .group_by(Job.owner_id)
        .having(func.count() >= limit)
    )


def count_active_locked(session: Session, owner_id: int) -> int:
    """How many jobs of `owner_id` hold a lease; on PostgreSQL under an advisory lock held
    until commit, so a second claim for the same owner waits, then counts this one."""
    _OWNER_LOCKS.get(session.get_bind().dialect.name, _no_owner_lock)(session, owner_id)
    running = session.scalar(
        select(func.count()).where(Job.owner_id == owner_id, Job.status.in_(ACTIVE))
    )
    return running or 0


def _pg_owner_lock(session: Session, owner_id: int) -> None:
    session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :owner)"),
        {"ns": OWNER_LOCK_NAMESPACE, "owner": owner_id},
    )


def _no_owner_lock(session: Session, owner_id: int) -> None:
    return None  # SQLite: BEGIN IMMEDIATE already serialises every claim


_OWNER_LOCKS: dict[str, Callable[[Session, int], None]] = {"postgresql": _pg_owner_lock}


def extend_lease(
    session: Session, job_id: int, lease_owner: str, expires_at: datetime, now: datetime
) -> JobStatus | None:
    """Stamp a heartbeat if `lease_owner` still holds the job; its status, or None if not."""
    row = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == lease_owner, Job.status.in_(ACTIVE))
        .values(heartbeat_at=now, lease_expires_at=expires_at)
        .returning(Job.status)
        .execution_options(synchronize_session=False)
    ).first()
    return None if row is None else JobStatus(row[0])


def expired_leases(session: Session, now: datetime) -> list[Job]:
    """Jobs holding a lease that expired before `now` (their worker died or hung), locked."""
    return list(
        session.scalars(
            select(Job)
            .where(Job.status.in_(ACTIVE), Job.lease_expires_at < now)
            .order_by(Job.id)
            .with_for_update(skip_locked=True)
        ).all()
    )


def busy_slots(session: Session, names: list[str]) -> dict[str, int]:
    """Running jobs per worker name (leases are taken as `<worker name>/<slot id>`)."""
    owners = session.scalars(
        select(Job.lease_owner).where(Job.status.in_(ACTIVE), Job.lease_owner.is_not(None))
    )
    counts: Counter[str] = Counter(owner.rsplit("/", 1)[0] for owner in owners if owner)
    return {name: counts.get(name, 0) for name in names}


# --- events ---------------------------------------------------------------------------------


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


# --- metrics --------------------------------------------------------------------------------


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


def _insert(session: Session, model: type[JobEvent] | type[JobMetric]) -> Any:
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"unsupported database {dialect!r}; use SQLite or PostgreSQL")
    return _INSERTS[dialect](table)
