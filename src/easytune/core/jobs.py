"""Jobs as users see them: who may see and act on which job, and the audit trail. Create a
training job from a plan (or any kind through `submit`: exports and evaluations do), list, show,
cancel, retry, and read events, metrics and checkpoints. Owners and admins only; others get 404.

No queries and no status changes here: the job domain is easytune.jobs (its repository holds
the queries, its service the lifecycle); this module adds users, permissions and audit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, audit, plans
from easytune.core.audit import Origin
from easytune.core.errors import NotFound, ValidationFailed
from easytune.core.permissions import Permission, has_permission
from easytune.db.models import Job, JobEvent, JobKind, JobMetric, JobStatus, Role, User
from easytune.jobs import repository, service
from easytune.jobs.errors import JobNotFound
from easytune.jobs.service import Submitter
from easytune.settings import Settings
from easytune.training.spec import TrainSpec

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
    job = submit(
        session, settings, user, JobKind.TRAIN, request.name, resolved.plan.spec, executor,
        origin, priority=request.priority, base_model_id=resolved.model.id,
        dataset_id=resolved.dataset.id,
        detail={"priority": request.priority, "base_model_id": resolved.model.id,
                "dataset_id": resolved.dataset.id},
    )  # fmt: skip
    return job, resolved


def submit(
    session: Session, settings: Settings, user: User, kind: JobKind, name: str,
    spec: TrainSpec | Mapping[str, Any], executor: Submitter, origin: Origin | None = None,
    *, priority: int = 0, base_model_id: str | None = None, dataset_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Job:  # fmt: skip
    """Queue a job of any kind for `user` through the one lifecycle (easytune.jobs.service)
    and audit it as `job.created`, with `detail` (the exported model, the compared models...)."""
    job = service.submit_job(
        session, owner_id=user.id, name=name, spec=spec, executor=executor, kind=kind,
        priority=priority, max_attempts=settings.job_max_attempts,
        base_model_id=base_model_id, dataset_id=dataset_id,
    )  # fmt: skip
    audit.record(
        session, "job.created", audit.by(user, origin), target_ref=("job", str(job.id)),
        name=job.name, kind=job.kind, **(detail or {}),
    )  # fmt: skip
    return job


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
        job = repository.get_job(session, job_id)
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
    return repository.page(session, owner, status, offset, limit, name)


def list_jobs_before(
    session: Session, user: User, before_id: int | None, limit: int, kind: JobKind | None = None
) -> list[Job]:
    """Up to `limit` of `user`'s jobs (admins: everyone's) older than job `before_id`."""
    owner = None if _sees_all(user) else user.id
    return repository.older_than(session, owner, before_id, limit, kind)


def cancel_job(session: Session, user: User, job_id: int, origin: Origin | None = None) -> Job:
    """Cancel a job you own (admins: any); 409 when it has already ended."""
    get_job(session, user, job_id)
    job = service.cancel_job(session, job_id)
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
    job = service.retry_job(session, job.id, executor=executor, attempts=settings.job_max_attempts)
    audit.record(
        session, "job.retried", audit.by(user, origin), target_ref=("job", str(job_id)),
        name=job.name, owner_id=job.owner_id,
    )  # fmt: skip
    return job


def events(session: Session, user: User, job_id: int, after_seq: int, limit: int) -> list[JobEvent]:
    """Events after `after_seq`, oldest first."""
    get_job(session, user, job_id)
    return repository.list_events(session, job_id, after_seq=after_seq, limit=limit)


def metrics(
    session: Session, user: User, job_id: int, after_step: int, limit: int
) -> list[JobMetric]:
    """Metric rows after `after_step`, by step."""
    get_job(session, user, job_id)
    return repository.list_metrics(session, job_id, after_step=after_step, limit=limit)


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
