"""The job lifecycle: every status change a job goes through, and the one way to make it.

Submit (queued, or validating_files), mark files validated, cancel, retry; claim, heartbeat,
finish (running the kind's success hooks), fail-or-retry, release; and recovery of jobs whose
worker was lost. Each function decides on rows it reads and writes through
easytune.jobs.repository (the only home of job queries) and applies status changes with
easytune.jobs.status.transition (the one table of allowed changes).

The caller owns the transaction. Executors hear of a job only after that transaction commits
(enqueue-after-commit): a rolled-back request never starts a job, and a worker never looks for
a row that is not visible yet. Every job kind (train, export, evaluation) goes through here.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from easytune.db import utcnow
from easytune.db.models.jobs import EventLevel, Job, JobKind, JobStatus
from easytune.i18n import Msg
from easytune.jobs import messages as msg
from easytune.jobs import repository
from easytune.jobs.errors import ArtifactRejected, InvalidTransition, LeaseLost
from easytune.jobs.kinds import get_kind
from easytune.jobs.status import ACTIVE, TERMINAL, can_transition, transition
from easytune.training.spec import TrainSpec

log = logging.getLogger("easytune.jobs.service")
S = JobStatus
DEFAULT_MAX_ATTEMPTS = 3
# How many times one claim skips owners that are at their limit before giving up.
MAX_CLAIM_SCANS = 8
_AFTER_COMMIT = "easytune_after_commit"


class Submitter(Protocol):
    """The one thing the API needs from an executor."""

    def submit(self, job_id: int) -> None: ...


# --- requests from users --------------------------------------------------------------------


def submit_job(
    session: Session,
    *,
    owner_id: int,
    name: str,
    spec: TrainSpec | Mapping[str, Any],
    executor: Submitter | None = None,
    priority: int = 0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    base_model_id: str | None = None,
    dataset_id: str | None = None,
    validating: bool = False,
    kind: JobKind = JobKind.TRAIN,
) -> Job:
    """Add a job of any kind (queued, or validating_files); the executor is told once the
    caller commits. The spec's output_dir is replaced by the job's own folder when it runs."""
    data = spec.model_dump(mode="json") if isinstance(spec, TrainSpec) else dict(spec)
    job = enqueue(
        session, owner_id=owner_id, name=name, spec=data, priority=priority,
        max_attempts=max_attempts, base_model_id=base_model_id, dataset_id=dataset_id,
        validating=validating, now=utcnow(), kind=kind,
    )  # fmt: skip
    if executor is not None and not validating:
        _submit_after_commit(session, executor, job.id)
    return job


def enqueue(
    session: Session,
    *,
    owner_id: int,
    name: str,
    spec: Mapping[str, Any],
    priority: int = 0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    base_model_id: str | None = None,
    dataset_id: str | None = None,
    validating: bool = False,
    now: datetime,
    kind: JobKind = JobKind.TRAIN,
) -> Job:
    """Insert a job, queued (or `validating_files` until its files are checked); no executor
    hears of it (submit_job does that)."""
    job = repository.add(
        session,
        Job(
            owner_id=owner_id, name=name, kind=kind, spec=dict(spec), priority=priority,
            max_attempts=max_attempts, base_model_id=base_model_id, dataset_id=dataset_id,
            status=S.VALIDATING_FILES, created_at=now,
        ),
    )  # fmt: skip
    if not validating:
        transition(job, S.QUEUED, now)
    created = msg.CREATED(status=msg.STATUS[job.status.value]())
    repository.add_event(session, job, EventLevel.INFO, created)
    return job


def mark_files_validated(session: Session, job_id: int, executor: Submitter | None = None) -> Job:
    """`validating_files` -> `queued` (the datasets registry calls this when files check out)."""
    job = repository.get_job(session, job_id, lock=True)
    transition(job, S.QUEUED, utcnow())
    repository.add_event(session, job, EventLevel.INFO, msg.QUEUED())
    if executor is not None:
        _submit_after_commit(session, executor, job.id)
    return job


def cancel_job(session: Session, job_id: int) -> Job:
    """Cancel: at once when nothing runs, else `cancelling` until the worker stops the child."""
    now = utcnow()
    job = repository.get_job(session, job_id, lock=True)
    if job.status == S.CANCELLING:
        return job
    target = S.CANCELLING if job.status == S.RUNNING else S.CANCELLED
    if not can_transition(JobStatus(job.status), target):
        message = f"job {job_id} is already {job.status}; there is nothing to cancel"
        raise InvalidTransition(message, param="id")
    transition(job, target, now)
    job.cancel_requested_at = now
    event = msg.CANCEL_REQUESTED(status=msg.STATUS[job.status.value]())
    repository.add_event(session, job, EventLevel.INFO, event)
    if target == S.CANCELLED:
        run_status_hooks(session, job)
    return job


def retry_job(
    session: Session,
    job_id: int,
    *,
    executor: Submitter | None = None,
    attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    """Queue a failed or cancelled job again (resuming from its checkpoints) with a fresh
    budget of `attempts` tries."""
    job = repository.get_job(session, job_id, lock=True)
    if job.status not in (S.FAILED, S.CANCELLED):
        raise InvalidTransition(
            f"job {job_id} is {job.status}; only failed or cancelled jobs retry", param="id"
        )
    transition(job, S.QUEUED, utcnow())
    job.attempt += 1
    job.max_attempts = job.attempt + attempts - 1
    job.result = None
    job.cancel_requested_at = None
    repository.add_event(session, job, EventLevel.INFO, msg.RETRY_REQUESTED(attempt=job.attempt))
    run_status_hooks(session, job)
    if executor is not None:
        _submit_after_commit(session, executor, job.id)
    return job


# --- after commit ---------------------------------------------------------------------------


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's current transaction commits; drop it on rollback."""
    if _AFTER_COMMIT not in session.info:
        session.info[_AFTER_COMMIT] = []
        event.listen(session, "after_commit", _run_callbacks)
        event.listen(session, "after_rollback", _drop_callbacks)
    session.info[_AFTER_COMMIT].append(callback)


def _submit_after_commit(session: Session, executor: Submitter, job_id: int) -> None:
    after_commit(session, lambda: executor.submit(job_id))


def _run_callbacks(session: Session) -> None:
    callbacks, session.info[_AFTER_COMMIT] = session.info[_AFTER_COMMIT], []
    for callback in callbacks:
        try:
            callback()
        except Exception:
            # The job is committed and stays queued; it is not lost, only not announced.
            log.exception("after-commit callback failed", extra={"action": "submit_failed"})


def _drop_callbacks(session: Session) -> None:
    session.info[_AFTER_COMMIT] = []


# --- claiming -------------------------------------------------------------------------------


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
        job = repository.next_queued(session, per_user_limit, skipped)
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
    job = repository.find_locked(session, job_id)
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


def _owner_has_room(session: Session, owner_id: int, limit: int | None) -> bool:
    return limit is None or repository.count_active_locked(session, owner_id) < limit


def _start(session: Session, job: Job, lease: Lease, output_root: Path, now: datetime) -> None:
    transition(job, S.RUNNING, now)
    job.lease_owner = lease.owner
    job.lease_expires_at = lease.expires(now)
    job.heartbeat_at = now
    if job.output_dir is None:
        job.output_dir = str(output_root / str(job.id))
    started = msg.ATTEMPT_STARTED(attempt=job.attempt)
    repository.add_event(session, job, EventLevel.INFO, started, {"worker": lease.owner})


# --- while running --------------------------------------------------------------------------


def heartbeat(session: Session, job_id: int, lease: Lease, now: datetime) -> JobStatus:
    """Extend the lease if `lease.owner` still holds it; returns the status (cancelling?)."""
    status = repository.extend_lease(session, job_id, lease.owner, lease.expires(now), now)
    if status is None:
        raise LeaseLost(f"job {job_id}: lease {lease.owner} is no longer held")
    return status


def leased_job(session: Session, job_id: int, lease_owner: str) -> Job:
    """The job locked for update, if `lease_owner` still holds it; else LeaseLost."""
    job = repository.get_job(session, job_id, lock=True)
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
    level = _FINAL_LEVELS[target]
    repository.add_event(session, job, level, _final_message(job), {"error": job.error})
    if target != S.SUCCEEDED:
        run_status_hooks(session, job)
    return job


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
    repository.add_event(session, job, EventLevel.WARN, why)
    return job


# --- success and status hooks ---------------------------------------------------------------
# Targets are "module:function" strings (easytune.jobs.kinds) resolved on first use, so the
# jobs package needs no import of the layers above it (easytune.core registers the job's
# adapter, export or comparison). A hook raising ArtifactRejected turns the success into a
# failure with that reason: only a verified artifact makes a success. Status hooks run when a
# job ends without success or is queued again by a retry (an imported adapter's probe job
# marks the adapter `probe_failed`, then `probing` again).

SuccessHook = Callable[[Session, Job], None]


@cache
def _resolve_hook(target: str) -> SuccessHook:
    module, _, function = target.partition(":")
    hook: SuccessHook = getattr(importlib.import_module(module), function)
    return hook


def run_success_hooks(session: Session, job: Job) -> None:
    """Run the job kind's hooks, in order, inside the caller's transaction."""
    for target in get_kind(job.kind).on_success:
        _resolve_hook(target)(session, job)


def run_status_hooks(session: Session, job: Job) -> None:
    """Run the kind's status hooks (failed, cancelled, retried) in the caller's transaction."""
    for target in get_kind(job.kind).on_status:
        _resolve_hook(target)(session, job)


def _verify_success(session: Session, job: Job) -> JobStatus:
    """Run the success hooks in a savepoint; a rejected artifact fails the job."""
    try:
        with session.begin_nested():
            run_success_hooks(session, job)
    except ArtifactRejected as exc:
        job.error = {"code": exc.code, "message": str(exc), "param": None}
        return S.FAILED
    return S.SUCCEEDED


# --- lost workers ---------------------------------------------------------------------------


def requeue_stalled(session: Session, now: datetime) -> list[Job]:
    """Recover every job whose lease expired (its worker died or hung): requeue or fail it."""
    stalled = repository.expired_leases(session, now)
    for job in stalled:
        _recover_lost(session, job, now)
    return stalled


def _lease_expired(job: Job, now: datetime) -> bool:
    return job.lease_expires_at is None or job.lease_expires_at < now


def _recover_lost(session: Session, job: Job, now: datetime) -> None:
    if job.status == S.CANCELLING:
        transition(job, S.CANCELLED, now)
        repository.add_event(session, job, EventLevel.WARN, msg.CANCELLED_LOST())
        run_status_hooks(session, job)
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
        repository.add_event(session, job, EventLevel.ERROR, _final_message(job), {"error": error})
        run_status_hooks(session, job)
        return
    _requeue(session, job, now, error, msg.LOST_HEARTBEAT())


def _requeue(
    session: Session, job: Job, now: datetime, error: Mapping[str, Any], message: Msg
) -> None:
    transition(job, S.QUEUED, now)
    job.error = dict(error)
    job.attempt += 1
    requeued = msg.REQUEUED(why=message, attempt=job.attempt, max_attempts=job.max_attempts)
    repository.add_event(session, job, EventLevel.WARN, requeued, {"error": dict(error)})


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
