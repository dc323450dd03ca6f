"""The one table of allowed job status changes, and the one function that applies them."""

from __future__ import annotations

from datetime import datetime

from easytune.db.models.jobs import Job, JobStatus
from easytune.jobs.errors import InvalidTransition

S = JobStatus

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    S.VALIDATING_FILES: frozenset({S.QUEUED, S.FAILED, S.CANCELLED}),
    S.QUEUED: frozenset({S.RUNNING, S.CANCELLED}),
    # running -> queued: lost worker, retryable failure, or released at worker shutdown.
    S.RUNNING: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLING, S.CANCELLED, S.QUEUED}),
    # A child that finished before the stop signal reached it keeps its real outcome.
    S.CANCELLING: frozenset({S.CANCELLED, S.SUCCEEDED, S.FAILED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset({S.QUEUED}),  # retry
    S.CANCELLED: frozenset({S.QUEUED}),  # retry
}

TERMINAL: frozenset[JobStatus] = frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED})
ACTIVE: frozenset[JobStatus] = frozenset({S.RUNNING, S.CANCELLING})  # hold a lease


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    """True when the table allows `current` -> `target`."""
    return target in TRANSITIONS[JobStatus(current)]


def transition(job: Job, target: JobStatus, now: datetime) -> None:
    """Move `job` to `target` and stamp its timestamps, or raise InvalidTransition."""
    current = JobStatus(job.status)
    if not can_transition(current, target):
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise InvalidTransition(
            f"job {job.id}: cannot go from {current} to {target}; allowed from {current}: {allowed}"
        )
    job.status = target
    _STAMPS.get(target, _no_stamp)(job, now)


def _stamp_queued(job: Job, now: datetime) -> None:
    job.queued_at = now
    _clear_lease(job)


def _stamp_running(job: Job, now: datetime) -> None:
    job.started_at = now
    job.finished_at = None
    job.cancel_requested_at = None


def _stamp_cancelling(job: Job, now: datetime) -> None:
    job.cancel_requested_at = now


def _stamp_final(job: Job, now: datetime) -> None:
    job.finished_at = now
    _clear_lease(job)


def _clear_lease(job: Job) -> None:
    job.lease_owner = None
    job.lease_expires_at = None


def _no_stamp(job: Job, now: datetime) -> None:
    return None


_STAMPS = {
    S.QUEUED: _stamp_queued,
    S.RUNNING: _stamp_running,
    S.CANCELLING: _stamp_cancelling,
    S.SUCCEEDED: _stamp_final,
    S.FAILED: _stamp_final,
    S.CANCELLED: _stamp_final,
}
