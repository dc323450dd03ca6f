"""/api/v1/intent/plan and /api/v1/jobs: plan, create, list, show, cancel, retry, follow."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import StreamingResponse

from easytune.api.deps import CurrentUser, ExecutorDep, SessionDep, SettingsDep, require
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.jobs import (
    CheckpointsPublic,
    EventsPublic,
    JobCreate,
    JobCreated,
    JobPublic,
    JobsPublic,
    MetricsPublic,
    PlanPublic,
    PlanRequest,
)
from easytune.core import job_stream, jobs, plans
from easytune.core.permissions import Permission
from easytune.db.models import JobStatus
from easytune.intent import IntentRequest

router = APIRouter(tags=["jobs"], responses=ERROR_RESPONSES)
READ = [require(Permission.JOBS_READ)]
CREATE = [require(Permission.JOBS_CREATE)]


def _plan_input(body: PlanRequest) -> plans.PlanInput:
    intent = IntentRequest(level=body.intent.level, description=body.intent.description)
    return plans.PlanInput(body.base_model_id, body.dataset_id, intent, body.overrides)


@router.post("/intent/plan", dependencies=CREATE)
def plan(
    body: PlanRequest, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> PlanPublic:
    """Resolve a plan (settings with reasons, memory and time estimate) without queuing it."""
    resolved = plans.resolve_plan(session, settings, user, _plan_input(body))
    return PlanPublic.model_validate(resolved.plan.to_dict())


@router.post("/jobs", status_code=status.HTTP_201_CREATED, dependencies=CREATE)
def create_job(
    body: JobCreate,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    executor: ExecutorDep,
) -> JobCreated:
    """Plan and queue a fine-tune; refused (4xx) when the plan is not sound."""
    request = jobs.JobInput(body.name, _plan_input(body), body.priority)
    job, resolved = jobs.create_job(session, settings, user, request, executor)
    public: dict[str, Any] = JobPublic.model_validate(job).model_dump()
    return JobCreated.model_validate({**public, "plan": resolved.plan.to_dict()})


@router.get("/jobs", dependencies=READ)
def list_jobs(
    session: SessionDep,
    user: CurrentUser,
    status: JobStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    name: Annotated[str | None, Query(max_length=200, description="Part of the name")] = None,
) -> JobsPublic:
    """Your jobs (admins: everyone's), newest first."""
    rows, total = jobs.list_jobs(session, user, offset, limit, status, name)
    return JobsPublic(data=[JobPublic.model_validate(j) for j in rows], count=total)


@router.get("/jobs/{job_id}", dependencies=READ)
def get_job(job_id: int, session: SessionDep, user: CurrentUser) -> JobPublic:
    """One job."""
    return JobPublic.model_validate(jobs.get_job(session, user, job_id))


@router.post("/jobs/{job_id}/cancel", dependencies=CREATE)
def cancel_job(job_id: int, session: SessionDep, user: CurrentUser) -> JobPublic:
    """Cancel: at once if not running, else `cancelling` until the training process stops."""
    return JobPublic.model_validate(jobs.cancel_job(session, user, job_id))


@router.post("/jobs/{job_id}/retry", dependencies=CREATE)
def retry_job(
    job_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    executor: ExecutorDep,
) -> JobPublic:
    """Queue a failed or cancelled job again (it resumes from its newest checkpoint)."""
    return JobPublic.model_validate(jobs.retry_job(session, settings, user, job_id, executor))


@router.get("/jobs/{job_id}/events", dependencies=READ)
def job_events(
    job_id: int,
    session: SessionDep,
    user: CurrentUser,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> EventsPublic:
    """Events after `after_seq`, oldest first."""
    rows = jobs.events(session, user, job_id, after_seq, limit)
    return EventsPublic.model_validate({"data": rows})


@router.get("/jobs/{job_id}/metrics", dependencies=READ)
def job_metrics(
    job_id: int,
    session: SessionDep,
    user: CurrentUser,
    after_step: Annotated[int, Query(ge=-1)] = -1,
    limit: Annotated[int, Query(ge=1, le=10000)] = 5000,
) -> MetricsPublic:
    """Metric rows (train and eval) after `after_step`, by step."""
    rows = jobs.metrics(session, user, job_id, after_step, limit)
    return MetricsPublic.model_validate({"data": rows})


@router.get("/jobs/{job_id}/checkpoints", dependencies=READ)
def job_checkpoints(job_id: int, session: SessionDep, user: CurrentUser) -> CheckpointsPublic:
    """Complete checkpoints, oldest first (a retry resumes from the newest)."""
    return CheckpointsPublic.model_validate({"data": jobs.checkpoints(session, user, job_id)})


@router.get(
    "/jobs/{job_id}/stream",
    dependencies=READ,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def stream_job(
    job_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-Sent Events: `event` and `metric` messages, then `end`; resumes after
    Last-Event-ID."""
    job = jobs.get_job(session, user, job_id)
    frames = job_stream.stream(
        request.app.state.session_factory, job.id, job_stream.Cursor.parse(last_event_id)
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames, media_type="text/event-stream", headers=headers)
