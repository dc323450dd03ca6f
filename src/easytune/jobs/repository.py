"""Every query of the job lifecycle: enqueue, claim, heartbeat, requeue, finish, cancel, retry.

Functions take a session and never commit: the caller (a request, the worker) owns the
transaction. On SQLite, callers that write must open it with BEGIN IMMEDIATE (the JobQueue
does); on PostgreSQL, claims lock rows with `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.orm import Session

from easytune.db import begin_immediate
from easytune.db.models.jobs import EventLevel, Job, JobKind, JobStatus
from easytune.i18n import Msg
from easytune.jobs import messages as msg
from easytune.jobs.errors import ArtifactRejected, InvalidTransition, JobNotFound, LeaseLost
from easytune.jobs.hooks import run_success_hooks
from easytune.jobs.records import add_event
from easytune.jobs.status import ACTIVE, TERMINAL, can_transition, transition

S = JobStatus
# How many times one claim skips owners that are at their limit before giving up.
MAX_CLAIM_SCANS = 8
# Namespace of the PostgreSQL advisory locks taken per job owner during a claim.
OWNER_LOCK_NAMESPACE = 0x6A6F62


@dataclass(frozen=True)
class Lease:
    """Who holds a job and for how long each heartbeat extends it."""

    owner: str
    seconds: float

    def expires(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)


class ClaimState(StrEnum):
    """What happened when a specific job was asked for (the Celery path)."""

    CLAIMED = "claimed"
    BUSY = "busy"  # another worker holds a live lease
    WAITING = "waiting"  # the owner is at the per-user running limit
    GONE = "gone"  # final, cancelled, still validating, or no such job


@dataclass(frozen=True)
class ClaimResult:
    state: ClaimState
    job: Job | None = None
    retry_after: float = 0.0


def enqueue(
    session: Session,
    *,
    owner_id: int,
    name: str,
    spec: Mapping[str, Any],
    priority: int = 0,
    max_attempts: int = 3,
    base_model_id: str | None = None,
    dataset_id: str | None = None,
    validating: bool = False,
    now: datetime,
    kind: JobKind = JobKind.TRAIN,
) -> Job:
    """Insert a job, queued (or `validating_files` until its files are checked)."""
    job = Job(
        owner_id=owner_id,
        name=name,
        kind=kind,
        spec=dict(spec),
        priority=priority,
        max_attempts=max_attempts,
        base_model_id=base_model_id,
        dataset_id=dataset_id,
        status=S.VALIDATING_FILES,
        created_at=now,
    )
    session.add(job)
    session.flush()
    if not validating:
        transition(job, S.QUEUED, now)
    add_event(session, job, EventLevel.INFO, msg.CREATED(status=msg.STATUS[job.status.value]()))
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


def mark_validated(session: Session, job_id: int, now: datetime) -> Job:
    """`validating_files` -> `queued` once the registry has checked the files."""
    job = get_job(session, job_id, lock=True)
    transition(job, S.QUEUED, now)
    add_event(session, job, EventLevel.INFO, msg.QUEUED())
    return job


# --- claiming -------------------------------------------------------------------------------


def claim_next(
    session: Session,
    lease: Lease,
    *,
    per_user_limit: int | None,
    output_root: Path,
    now: datetime,
) -> Job | None:
    """Lease the best queued job (priority desc, queued_at asc) whose owner has room."""
    skipped: set[int] = set()
    for _ in range(MAX_CLAIM_SCANS):
        job = session.scalars(_next_queued(per_user_limit, skipped)).first()
        if job is None:
            return None
        if _owner_has_room(session, job.owner_id, per_user_limit):
            _start(session, job, lease, output_root, now)
            return job
        skipped.add(job.owner_id)
    return None


def claim_job(
    session: Session,
    job_id: int,
    lease: Lease,
    *,
    per_user_limit: int | None,
    output_root: Path,
    now: datetime,
) -> ClaimResult:
    """Lease one given job if it is claimable; harmless for a job already running or done."""
    job = session.scalars(select(Job).where(Job.id == job_id).with_for_update()).one_or_none()
    if job is None:
        return ClaimResult(ClaimState.GONE)
    if job.status in ACTIVE and _lease_expired(job, now):
        _recover_lost(session, job, now)
    if job.status in ACTIVE:
        assert job.lease_expires_at is not None
        wait = (job.lease_expires_at - now).total_seconds()
        return ClaimResult(ClaimState.BUSY, job, max(wait, 0.0) + 1.0)
    if job.status != S.QUEUED:
        return ClaimResult(ClaimState.GONE, job)
    if not _owner_has_room(session, job.owner_id, per_user_limit):
        return ClaimResult(ClaimState.WAITING, job, lease.seconds)
    _start(session, job, lease, output_root, now)
    return ClaimResult(ClaimState.CLAIMED, job)


def _next_queued(per_user_limit: int | None, skipped: set[int]) -> Select[Job]:
    stmt = select(Job).where(Job.status == S.QUEUED)
    if skipped:
        stmt = stmt.where(Job.owner_id.not_in(skipped))
    if per_user_limit is not None:
        stmt = stmt.where(Job.owner_id.not_in(_owners_at_limit(per_user_limit)))
    order = (Job.priority.desc(), Job.queued_at.asc(), Job.id.asc())
    return stmt.order_by(*order).limit(1).with_for_update(skip_locked=True, of=Job)


def _owners_at_limit(limit: int) -> Select[int]:
    return (
        select(Job.owner_id)
        .where(Job.status.in_(ACTIVE))
        .group_by(Job.owner_id)
        .having(func.count() >= limit)
    )


def _owner_has_room(session: Session, owner_id: int, limit: int | None) -> bool:
    """Exact per-owner count; on PostgreSQL under an advisory lock so racing claims queue up."""
    if limit is None:
        return True
    _OWNER_LOCKS.get(session.get_bind().dialect.name, _no_owner_lock)(session, owner_id)
    running = session.scalar(
        select(func.count()).where(Job.owner_id == owner_id, Job.status.in_(ACTIVE))
    )
    return (running or 0) < limit


def _pg_owner_lock(session: Session, owner_id: int) -> None:
    # Held until commit: a second claim for the same owner waits, then counts our claim.
    session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :owner)"),
        {"ns": OWNER_LOCK_NAMESPACE, "owner": owner_id},
    )


def _no_owner_lock(session: Session, owner_id: int) -> None:
    return None  # SQLite: BEGIN IMMEDIATE already serialises every claim


_OWNER_LOCKS: dict[str, Callable[[Session, int], None]] = {"postgresql": _pg_owner_lock}


def _start(session: Session, job: Job, lease: Lease, output_root: Path, now: datetime) -> None:
    transition(job, S.RUNNING, now)
    job.lease_owner = lease.owner
    job.lease_expires_at = lease.expires(now)
    job.heartbeat_at = now
    if job.output_dir is None:
        job.output_dir = str(output_root / str(job.id))
    add_event(
        session,
        job,
        EventLevel.INFO,
        msg.ATTEMPT_STARTED(attempt=job.attempt),
        {"worker": lease.owner},
    )


# --- while running --------------------------------------------------------------------------


def heartbeat(session: Session, job_id: int, lease: Lease, now: datetime) -> JobStatus:
    """Extend the lease if `lease.owner` still holds it; returns the status (cancelling?)."""
    row = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == lease.owner, Job.status.in_(ACTIVE))
        .values(heartbeat_at=now, lease_expires_at=lease.expires(now))
        .returning(Job.status)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        raise LeaseLost(f"job {job_id}: lease {lease.owner} is no longer held")
    return JobStatus(row[0])


def leased_job(session: Session, job_id: int, lease_owner: str) -> Job:
    """The job locked for update, if `lease_owner` still holds it; else LeaseLost."""
    job = get_job(session, job_id, lock=True)
    if job.lease_owner != lease_owner or job.status not in ACTIVE:
        raise LeaseLost(
            f"job {job_id}: lease {lease_owner} was lost (now {job.status}, "
            f"held by {job.lease_owner}); not writing a final status"
        )
    return job


def finish(
    session: Session,
    job_id: int,
    lease_owner: str,
    target: JobStatus,
    *,
    now: datetime,
    error: Mapping[str, Any] | None = None,
    result: Mapping[str, Any] | None = None,
) -> Job:
    """Write a final status; only the current lease owner may (LeaseLost otherwise)."""
    if target not in TERMINAL:
        raise InvalidTransition(f"finish() takes a final status, not {target}")
    job = leased_job(session, job_id, lease_owner)
    job.error = dict(error) if error is not None else None
    job.result = dict(result) if result is not None else None
    if target == S.SUCCEEDED:
        target = _verify_success(session, job)
    transition(job, target, now)
    add_event(session, job, _FINAL_LEVELS[target], _final_message(job), {"error": job.error})
    return job


def _verify_success(session: Session, job: Job) -> JobStatus:
    """Run the success hooks (adapter registration); a rejected artifact fails the job."""
    try:
        with session.begin_nested():
            run_success_hooks(session, job)
    except ArtifactRejected as exc:
        job.error = {"code": exc.code, "message": str(exc), "param": None}
        return S.FAILED
    return S.SUCCEEDED


def fail_or_retry(
    session: Session, job_id: int, lease_owner: str, error: Mapping[str, Any], now: datetime
) -> Job:
    """A retryable failure: back to queued with attempt + 1, or failed when none are left."""
    job = leased_job(session, job_id, lease_owner)
    if job.status == S.CANCELLING:
        return finish(session, job_id, lease_owner, S.CANCELLED, now=now)
    if job.attempt >= job.max_attempts:
        return finish(session, job_id, lease_owner, S.FAILED, now=now, error=error)
    why = msg.ATTEMPT_FAILED(attempt=job.attempt, message=str(error.get("message")))
    _requeue(session, job, now, error, why)
    return job


RELEASED_AT_SHUTDOWN = msg.RELEASED()


def release(
    session: Session, job_id: int, lease_owner: str, now: datetime,
    why: str | Msg = RELEASED_AT_SHUTDOWN, keep_place: bool = False,
) -> Job:  # fmt: skip
    """Give a job back without spending an attempt (a shutdown, or no free slots: not its
    fault); `keep_place` keeps its queued_at, so a job waiting for slots is not overtaken."""
    job = leased_job(session, job_id, lease_owner)
    if job.status == S.CANCELLING:
        return finish(session, job_id, lease_owner, S.CANCELLED, now=now)
    queued_at = job.queued_at
    transition(job, S.QUEUED, now)
    if keep_place:
        job.queued_at = queued_at
    add_event(session, job, EventLevel.WARN, why)
    return job


def requeue_stalled(session: Session, now: datetime) -> list[Job]:
    """Recover every job whose lease expired (its worker died or hung): requeue or fail it."""
    stalled = session.scalars(
        select(Job)
        .where(Job.status.in_(ACTIVE), Job.lease_expires_at < now)
        .order_by(Job.id)
        .with_for_update(skip_locked=True)
    ).all()
    for job in stalled:
        _recover_lost(session, job, now)
    return list(stalled)


def _lease_expired(job: Job, now: datetime) -> bool:
    return job.lease_expires_at is None or job.lease_expires_at < now


def _recover_lost(session: Session, job: Job, now: datetime) -> None:
    if job.status == S.CANCELLING:
        transition(job, S.CANCELLED, now)
        add_event(session, job, EventLevel.WARN, msg.CANCELLED_LOST())
        return
    error = {
        "code": "worker_lost",
        "message": (
            f"the worker running attempt {job.attempt} stopped heartbeating "
            f"(last heartbeat {_iso(job.heartbeat_at)}); the host may have crashed or run "
            "out of memory"
        ),
        "param": None,
    }
    if job.attempt >= job.max_attempts:
        transition(job, S.FAILED, now)
        job.error = error
        add_event(session, job, EventLevel.ERROR, _final_message(job), {"error": error})
        return
    _requeue(session, job, now, error, msg.LOST_HEARTBEAT())


def _requeue(
    session: Session, job: Job, now: datetime, error: Mapping[str, Any], message: Msg
) -> None:
    transition(job, S.QUEUED, now)
    job.error = dict(error)
    job.attempt += 1
    add_event(
        session,
        job,
        EventLevel.WARN,
        msg.REQUEUED(why=message, attempt=job.attempt, max_attempts=job.max_attempts),
        {"error": dict(error)},
    )


# --- requests from users --------------------------------------------------------------------


def request_cancel(session: Session, job_id: int, now: datetime) -> Job:
    """Cancel now if nothing runs; else mark `cancelling` for the worker to stop the child."""
    job = get_job(session, job_id, lock=True)
    if job.status == S.CANCELLING:
        return job
    target = S.CANCELLING if job.status == S.RUNNING else S.CANCELLED
    if not _can(job, target):
        message = f"job {job_id} is already {job.status}; there is nothing to cancel"
        raise InvalidTransition(message, param="id")
    transition(job, target, now)
    job.cancel_requested_at = now
    add_event(
        session, job, EventLevel.INFO, msg.CANCEL_REQUESTED(status=msg.STATUS[job.status.value]())
    )
    return job


def retry(session: Session, job_id: int, *, attempts: int, now: datetime) -> Job:
    """Queue a failed or cancelled job again with a fresh budget of `attempts` tries."""
    job = get_job(session, job_id, lock=True)
    if job.status not in (S.FAILED, S.CANCELLED):
        raise InvalidTransition(
            f"job {job_id} is {job.status}; only failed or cancelled jobs retry", param="id"
        )
    transition(job, S.QUEUED, now)
    job.attempt += 1
    job.max_attempts = job.attempt + attempts - 1
    job.result = None
    job.cancel_requested_at = None
    add_event(session, job, EventLevel.INFO, msg.RETRY_REQUESTED(attempt=job.attempt))
    return job


def _can(job: Job, target: JobStatus) -> bool:
    return can_transition(JobStatus(job.status), target)


_FINAL_LEVELS = {
    S.SUCCEEDED: EventLevel.INFO,
    S.FAILED: EventLevel.ERROR,
    S.CANCELLED: EventLevel.WARN,
}


def _final_message(job: Job) -> Msg:
    status = msg.STATUS[job.status.value]()
    if job.error:
        code, message = job.error.get("code"), job.error.get("message")
        return msg.FINISHED_ERROR(status=status, code=code, message=message)
    return msg.FINISHED(status=status)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"
