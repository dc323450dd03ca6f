"""/v1/fine_tuning/jobs: create, list, retrieve, cancel, events, checkpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from easytune.api.deps import CurrentUser, ExecutorDep, SessionDep, SettingsDep, require
from easytune.core import jobs
from easytune.core.permissions import Permission
from easytune.openai import fine_tuning, tuning_objects
from easytune.openai.tuning_schemas import FineTuningJobCreate

router = APIRouter(prefix="/fine_tuning/jobs", tags=["openai"])
READ = [require(Permission.JOBS_READ)]
CREATE = [require(Permission.JOBS_CREATE)]
After = Annotated[str | None, Query(max_length=80)]
Limit = Annotated[int, Query(ge=1, le=100)]


@router.post("", dependencies=CREATE)
def create_job(
    body: FineTuningJobCreate,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    executor: ExecutorDep,
) -> dict[str, Any]:
    """Plan (intent level auto, explicit hyperparameters as overrides) and queue a fine-tune."""
    job = fine_tuning.create(session, settings, user, body, executor)
    return tuning_objects.job_object(session, user, job)


@router.get("", dependencies=READ)
def list_jobs(
    session: SessionDep, user: CurrentUser, after: After = None, limit: Limit = 20
) -> dict[str, Any]:
    """Your jobs (admins: everyone's), newest first; `after` is the last id of a page."""
    rows, more = fine_tuning.page(session, user, after, limit)
    data = [tuning_objects.job_object(session, user, job) for job in rows]
    return {"object": "list", "data": data, "has_more": more}


@router.get("/{job_id}", dependencies=READ)
def get_job(job_id: str, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """One job; `fine_tuned_model` is set once it succeeded."""
    job = fine_tuning.get(session, user, job_id)
    return tuning_objects.job_object(session, user, job)


@router.post("/{job_id}/cancel", dependencies=CREATE)
def cancel_job(job_id: str, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Cancel a job that has not ended; 409 when it has."""
    job = fine_tuning.cancel(session, user, job_id)
    return tuning_objects.job_object(session, user, job)


@router.get("/{job_id}/events", dependencies=READ)
def job_events(
    job_id: str, session: SessionDep, user: CurrentUser, after: After = None, limit: Limit = 20
) -> dict[str, Any]:
    """The job's events, newest first."""
    job = fine_tuning.get(session, user, job_id)
    rows, more = fine_tuning.events_page(session, user, job, after, limit)
    data = [tuning_objects.event_object(job, event) for event in rows]
    return {"object": "list", "data": data, "has_more": more}


@router.get("/{job_id}/checkpoints", dependencies=READ)
def job_checkpoints(
    job_id: str, session: SessionDep, user: CurrentUser, after: After = None, limit: Limit = 10
) -> dict[str, Any]:
    """The job's complete checkpoints, newest first."""
    job = fine_tuning.get(session, user, job_id)
    model = tuning_objects.fine_tuned_model(session, user, job)
    found = jobs.checkpoints(session, user, job.id)[::-1]
    data = [tuning_objects.checkpoint_object(job, model, c) for c in found]
    if after:
        data = data[next((i + 1 for i, c in enumerate(data) if c["id"] == after), 0) :]
    return {"object": "list", "data": data[:limit], "has_more": len(data) > limit,
            "first_id": data[0]["id"] if data else None}  # fmt: skip
