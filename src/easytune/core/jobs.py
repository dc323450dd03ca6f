"""Fine-tuning jobs as users see them: create from a plan, list, show, cancel, retry, and read
their events, metrics and checkpoints. Owners and admins only; others get 404."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, audit, plans
from easytune.core.audit import Origin
from easytune.core.errors import NotFound, ValidationFailed
from easytune.core.permissions import Permission, has_permission
from easytune.db.models import Job, JobEvent, JobKind, JobMetric, JobStatus, Role, User
from easytune.db.repositories import jobs as jobs_repo
from easytune.jobs import records
from easytune.jobs import service as queue
from easytune.jobs.errors import JobNotFound
from easytune.jobs.service import Submitter
from easytune.settings import Settings

COMPLETE_MARKER = "COMPLETE"


MAX_PRIORITY = 10


@dataclass(frozen=True)
class JobInput:
    """POST /jobs: a name, a plan's inputs and a priority."""

    name: str
    plan: plans.PlanInput
    priority: int = 0


def create_job(
    session: Session, settings: Settings, user: User, request: JobInput, executor: Submitter,
    origin: Origin | None = None,
) -> tuple[Job, plans.ResolvedPlan]:  # fmt: skip
    """Plan, then add the job in this transaction; the executor hears of it after commit."""
    _check_priority(settings, user, request.priority)
    resolved = plans.resolve_plan(session, settings, user, request.plan)
    job = queue.submit_job(
        session, owner_id=user.id, name=request.name, spec=resolved.plan.spec,
        executor=executor, priority=request.priority, max_attempts=settings.job_max_attempts,
        base_model_id=resolved.model.id, dataset_id=resolved.dataset.id,
    )  # fmt: skip
    audit.record(
        session, "job.created", audit.by(user, origin), target_ref=("job", str(job.id)),
        name=job.name, kind=job.kind, priority=request.priority,
        base_model_id=job.base_model_id, dataset_id=job.dataset_id,
    )  # fmt: skip
    return job, resolved


def _check_priority(settings: Settings, user: User, priority: int) -> None:
    # Admins may jump the queue; everyone else is capped so one user cannot starve the rest.
    cap = MAX_PRIORITY if user.role == Role.ADMIN else settings.engineer_max_priority
    if priority > cap:
        raise ValidationFailed(
            f"priority must be {cap} or less for your role ({user.role}); "
            "ask an admin to raise it (EASYTUNE_ENGINEER_MAX_PRIORITY)",
            param="priority",
        )


def get_job(session: Session, user: User, job_id: int) -> Job:
    """A job of `user` (any job for admins); NotFound otherwise."""
    try:
        job = queue.get_job(session, job_id)
    except JobNotFound:
        job = None
    if job is None or not (_sees_all(user) or job.owner_id == user.id):
        raise NotFound(f"no job with id {job_id}", param="id")
    return job


def _sees_all(user: User) -> bool:
    return access.is_admin(user) or has_permission(user.role, Permission.JOBS_MANAGE)


def list_jobs(
    session: Session, user: User, offset: int, limit: int, status: JobStatus | None = None,
    name: str | None = None,
) -> tuple[list[Job], int]:  # fmt: skip
    """A page of `user`'s jobs (admins: everyone's), newest first."""
    owner = None if _sees_all(user) else user.id
    return jobs_repo.page(session, owner, status, offset, limit, name)


def list_jobs_before(
    session: Session, user: User, before_id: int | None, limit: int, kind: JobKind | None = None
) -> list[Job]:
    """Up to `limit` of `user`'s jobs (admins: everyone's) older than job `before_id`."""
    owner = None if _sees_all(user) else user.id
    return jobs_repo.older_than(session, owner, before_id, limit, kind)


def cancel_job(session: Session, user: User, job_id: int, origin: Origin | None = None) -> Job:
    """Cancel a job you own (admins: any); 409 when it has already ended."""
    get_job(session, user, job_id)
    job = queue.cancel_job(session, job_id)
    audit.record(
        session, "job.cancelled", audit.by(user, origin), target_ref=("job", str(job_id)),
        name=job.name, owner_id=job.owner_id, status=job.status,
    )  # fmt: skip
    return job


def retry_job(
    session: Session, settings: Settings, user: User, job_id: int, executor: Submitter,
    origin: Origin | None = None,
) -> Job:  # fmt: skip
    """Queue a failed or cancelled job again; it resumes from its newest checkpoint."""
    job = get_job(session, user, job_id)
    job = queue.retry_job(session, job.id, executor=executor, attempts=settings.job_max_attempts)
    audit.record(
        session, "job.retried", audit.by(user, origin), target_ref=("job", str(job_id)),
        name=job.name, owner_id=job.owner_id,
    )  # fmt: skip
    return job


def events(session: Session, user: User, job_id: int, after_seq: int, limit: int) -> list[JobEvent]:
    """Events after `after_seq`, oldest first."""
    get_job(session, user, job_id)
    return records.list_events(session, job_id, after_seq=after_seq, limit=limit)


def metrics(
    session: Session, user: User, job_id: int, after_step: int, limit: int
) -> list[JobMetric]:
    """Metric rows after `after_step`, by step."""
    get_job(session, user, job_id)
    return records.list_metrics(session, job_id, after_step=after_step, limit=limit)


def checkpoints(session: Session, user: User, job_id: int) -> list[dict[str, Any]]:
    """The job's complete checkpoints (newest last), as the engine wrote them."""
    job = get_job(session, user, job_id)
    if job.output_dir is None:
        return []
    folder = Path(job.output_dir) / "checkpoints"
    found = sorted(folder.glob("step-*")) if folder.is_dir() else []
    return [_checkpoint(path) for path in found if (path / COMPLETE_MARKER).is_file()]


def _checkpoint(path: Path) -> dict[str, Any]:
    try:
        state = json.loads((path / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    return {
        "name": path.name,
        "step": int(state.get("step", path.name.removeprefix("step-"))),
        "epoch": state.get("epoch"),
        "tokens_seen": state.get("tokens_seen"),
        "best_eval_loss": state.get("best_eval_loss"),
        "size_bytes": sum(p.stat().st_size for p in path.rglob("*") if p.is_file()),
    }
