"""The queue as workers see it: each call is one short write transaction over the lifecycle
(easytune.jobs.service) and its queries (easytune.jobs.repository).

Workers pass plain `Claim` snapshots between threads, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from easytune.db import transaction, utcnow
from easytune.db.models.jobs import EventLevel, Job, JobStatus
from easytune.db.repositories import workers as workers_repo
from easytune.i18n import Msg
from easytune.jobs import repository, service
from easytune.jobs.eta import note_progress
from easytune.jobs.progress import ErrorItem, EventItem, MetricItem, SourcedEvent
from easytune.jobs.service import ClaimState, Lease
from easytune.settings import Settings


@dataclass(frozen=True)
class QueueConfig:
    """Lease length, per-user running limit and where job folders live."""

    output_root: Path
    lease_seconds: float = 60.0
    per_user_limit: int | None = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> QueueConfig:
        return cls(
            output_root=settings.data_dir.resolve() / "jobs",
            lease_seconds=settings.job_lease_seconds,
            per_user_limit=settings.jobs_per_user_running or None,
        )


@dataclass(frozen=True)
class Claim:
    """A leased job, as the worker needs it."""

    job_id: int
    owner_id: int
    attempt: int
    spec: dict[str, Any]
    output_dir: Path
    lease: Lease
    kind: str = "train"

    @classmethod
    def of(cls, job: Job, lease: Lease) -> Claim:
        assert job.output_dir is not None
        out = Path(job.output_dir)
        return cls(job.id, job.owner_id, job.attempt, dict(job.spec), out, lease, job.kind)


@dataclass(frozen=True)
class ClaimAttempt:
    """The answer to "run this job" (Celery): a claim, or why not and when to ask again."""

    state: ClaimState
    claim: Claim | None = None
    retry_after: float = 0.0


class JobQueue:
    """Claim, heartbeat, record, finish: the worker's whole conversation with the database."""

    def __init__(self, factory: sessionmaker[Session], config: QueueConfig) -> None:
        self.factory = factory
        self.config = config

    def _write(self) -> Any:
        # IMMEDIATE on SQLite: a read-then-write must hold the write lock from the start.
        return transaction(self.factory, immediate=True)

    def lease(self, owner: str) -> Lease:
        return Lease(owner, self.config.lease_seconds)

    def claim_next(self, owner: str) -> Claim | None:
        """Lease the next job for this worker slot, or None when nothing can run."""
        lease = self.lease(owner)
        with self._write() as session:
            job = service.claim_next(
                session,
                lease,
                per_user_limit=self.config.per_user_limit,
                output_root=self.config.output_root,
                now=utcnow(),
            )
            return None if job is None else Claim.of(job, lease)

    def claim(self, job_id: int, owner: str) -> ClaimAttempt:
        """Lease one given job (Celery delivery); BUSY/WAITING say when to try again."""
        lease = self.lease(owner)
        with self._write() as session:
            result = service.claim_job(
                session,
                job_id,
                lease,
                per_user_limit=self.config.per_user_limit,
                output_root=self.config.output_root,
                now=utcnow(),
            )
            if result.state != ClaimState.CLAIMED or result.job is None:
                return ClaimAttempt(result.state, retry_after=result.retry_after)
            return ClaimAttempt(result.state, Claim.of(result.job, lease))

    def heartbeat(self, claim: Claim) -> JobStatus:
        """Extend the lease; LeaseLost if another worker took the job over."""
        with self._write() as session:
            return service.heartbeat(session, claim.job_id, claim.lease, utcnow())

    def requeue_stalled(self) -> list[int]:
        """Recover jobs of dead workers; returns the ids now queued again."""
        with self._write() as session:
            jobs = service.requeue_stalled(session, utcnow())
            return [job.id for job in jobs if job.status == JobStatus.QUEUED]

    def record(
        self, claim: Claim, events: Sequence[SourcedEvent], metrics: Sequence[MetricItem]
    ) -> None:
        """Store a batch of progress lines in one transaction."""
        with self._write() as session:
            repository.add_child_events(session, claim.job_id, claim.attempt, events)
            repository.upsert_metrics(session, claim.job_id, claim.attempt, metrics)
            note_progress(repository.get_job(session, claim.job_id), events, metrics)

    def event(self, claim: Claim, item: EventItem) -> None:
        """Append an event written by the worker itself (stall warning, stop signals)."""
        with self._write() as session:
            job = repository.get_job(session, claim.job_id)
            repository.add_event(session, job, item.level, item.message, item.data, item.coded())

    def finish(
        self,
        claim: Claim,
        status: JobStatus,
        *,
        error: ErrorItem | None = None,
        result: dict[str, Any] | None = None,
    ) -> JobStatus:
        """Write the final status (lease holders only)."""
        error_dict = error.as_dict() if error else None
        with self._write() as session:
            job = service.finish(
                session, claim.job_id, claim.lease.owner, status,
                now=utcnow(), error=error_dict, result=result,
            )  # fmt: skip
            return JobStatus(job.status)

    def fail_or_retry(self, claim: Claim, error: ErrorItem) -> JobStatus:
        """A retryable failure: queued again with attempt + 1, or failed when none are left."""
        with self._write() as session:
            job = service.fail_or_retry(
                session, claim.job_id, claim.lease.owner, error.as_dict(), utcnow()
            )
            return JobStatus(job.status)

    def beat(
        self, name: str, executor: str, slots: int, hardware: dict[str, Any] | None = None
    ) -> None:
        """Announce this worker: the dashboard lists it, plans use its `hardware` facts."""
        with self._write() as session:
            workers_repo.beat(session, name, executor, slots, hardware, utcnow())

    def worker_stopped(self, name: str) -> None:
        """Record a clean worker shutdown."""
        with self._write() as session:
            workers_repo.stopped(session, name, utcnow())

    def release(
        self,
        claim: Claim,
        why: str | Msg = service.RELEASED_AT_SHUTDOWN,
        keep_place: bool = False,
    ) -> JobStatus:
        """Back to the queue without spending an attempt (worker shutdown, no free slots)."""
        with self._write() as session:
            job = service.release(
                session, claim.job_id, claim.lease.owner, utcnow(), why, keep_place
            )
            return JobStatus(job.status)


def warn(message: Msg, **data: Any) -> EventItem:
    """A warning event written by the worker."""
    return EventItem.of(EventLevel.WARN, message, **data)
