"""Job operations for the API layer (no FastAPI here): submit, cancel, retry.

The caller owns the transaction. Executors hear of a job only after that transaction
commits (enqueue-after-commit): a rolled-back request never starts a job, and a worker never
looks for a row that is not visible yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from easytune.db import utcnow
from easytune.db.models.jobs import Job, JobKind, JobStatus
from easytune.jobs import repository
from easytune.training.spec import TrainSpec

log = logging.getLogger("easytune.jobs.service")
DEFAULT_MAX_ATTEMPTS = 3
_AFTER_COMMIT = "easytune_after_commit"


class Submitter(Protocol):
    """The one thing the API needs from an executor."""

    def submit(self, job_id: int) -> None: ...


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
    """Add a job (queued, or validating_files); the executor is told once the caller commits.

    The spec's output_dir is replaced by the job's own folder when a worker runs it.
    """
    data = spec.model_dump(mode="json") if isinstance(spec, TrainSpec) else dict(spec)
    job = repository.enqueue(
        session, owner_id=owner_id, name=name, spec=data, priority=priority,
        max_attempts=max_attempts, base_model_id=base_model_id, dataset_id=dataset_id,
        validating=validating, now=utcnow(), kind=kind,
    )  # fmt: skip
    if executor is not None and not validating:
        _submit_after_commit(session, executor, job.id)
    return job


def mark_files_validated(session: Session, job_id: int, executor: Submitter | None = None) -> Job:
    """`validating_files` -> `queued` (the datasets registry calls this when files check out)."""
    job = repository.mark_validated(session, job_id, utcnow())
    if executor is not None:
        _submit_after_commit(session, executor, job.id)
    return job


def cancel_job(session: Session, job_id: int) -> Job:
    """Cancel: at once when nothing runs, else `cancelling` until the worker stops the child."""
    return repository.request_cancel(session, job_id, utcnow())


def retry_job(
    session: Session,
    job_id: int,
    *,
    executor: Submitter | None = None,
    attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    """Queue a failed or cancelled job again (resuming from its checkpoints) with new tries."""
    job = repository.retry(session, job_id, attempts=attempts, now=utcnow())
    if executor is not None:
        _submit_after_commit(session, executor, job.id)
    return job


def get_job(session: Session, job_id: int) -> Job:
    """One job (JobNotFound when absent); ownership checks are the caller's."""
    return repository.get_job(session, job_id)


def list_jobs(
    session: Session, *, owner_id: int | None = None, status: JobStatus | None = None
) -> list[Job]:
    """Jobs, newest first, optionally of one owner or one status."""
    return repository.list_jobs(session, owner_id=owner_id, status=status)


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
