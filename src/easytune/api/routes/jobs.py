"""/api/v1/intent/plan and /api/v1/jobs: plan, create, list, show, cancel, retry, follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from easytune.api import views
from easytune.api.capacity import SlotStream
from easytune.api.deps import (
    AppStateDep,
    CurrentUser,
    ExecutorDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    read_only,
    require,
)
from easytune.api.schemas.common import (
    ERROR_RESPONSES,
    MAX_INT64,
    After,
    ErrorResponse,
    Offset,
    RowId,
)
from easytune.api.schemas.evaluations import EvaluationReport
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
from easytune.core import auth, evaluations, job_stream, jobs, plans
from easytune.core.errors import EasyTuneError
from easytune.core.permissions import Permission, has_permission
from easytune.db.models import Job, JobStatus, User
from easytune.intent import IntentRequest
from easytune.settings import Settings

router = APIRouter(tags=["jobs"], responses=ERROR_RESPONSES)
JobId = RowId
READ = [require(Permission.JOBS_READ)]
CREATE = [require(Permission.JOBS_CREATE)]


def _public(job: Job, viewer: User) -> JobPublic:
    """The job as `viewer` may see it (server paths and stderr for admins only)."""
    public = JobPublic.model_validate(job)
    hidden = views.job_redactions(job, viewer)
    return public.model_copy(update=hidden) if hidden else public


def _plan_input(body: PlanRequest) -> plans.PlanInput:
    intent = IntentRequest(level=body.intent.level, description=body.intent.description)
    return plans.PlanInput(
        body.base_model_id,
        body.dataset_id,
        intent,
        body.overrides,
        mix_dataset_id=body.mix_dataset_id,
    )


@router.post("/intent/plan", dependencies=CREATE)
def plan(
    body: PlanRequest, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> PlanPublic:
    """Resolve a plan (settings with reasons, memory and time estimate) without queuing it."""
    resolved = plans.resolve_plan(session, settings, user, _plan_input(body))
    return PlanPublic.model_validate(views.plan_for(resolved.plan.to_dict(), user))


@router.post("/jobs", status_code=status.HTTP_201_CREATED, dependencies=CREATE)
def create_job(
    body: JobCreate,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    executor: ExecutorDep,
    origin: OriginDep,
) -> JobCreated:
    """Plan and queue a fine-tune; refused (4xx) when the plan is not sound."""
    request = jobs.JobInput(body.name, _plan_input(body), body.priority)
    job, resolved = jobs.create_job(session, settings, user, request, executor, origin)
    public: dict[str, Any] = _public(job, user).model_dump()
    plan = views.plan_for(resolved.plan.to_dict(), user)
    return JobCreated.model_validate({**public, "plan": plan})


@router.get("/jobs", dependencies=READ)
async def list_jobs(
    session: SessionDep,
    user: CurrentUser,
    status: JobStatus | None = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    name: Annotated[str | None, Query(max_length=200, description="Part of the name")] = None,
) -> JobsPublic:
    """Your jobs (admins: everyone's), newest first."""
    # The most polled route: its queries, schemas and the end of its read-only transaction
    # take one thread hop (get_session then has nothing left to do in a thread), and FastAPI
    # checks the returned model in the event loop instead of taking another.
    return await run_in_threadpool(_jobs_page, session, user, offset, limit, status, name)


def _jobs_page(
    session: Session, user: User, offset: int, limit: int, status: JobStatus | None,
    name: str | None,
) -> JobsPublic:  # fmt: skip
    read_only(session)
    rows, total = jobs.list_jobs(session, user, offset, limit, status, name)
    # The items are validated once, in _public: validating the page again would run each
    # item's model validator a second time (pydantic runs "after" validators on instances).
    page = JobsPublic.model_construct(data=[_public(j, user) for j in rows], count=total)
    session.commit()  # hands the connection back in this hop
    return page


@router.get("/jobs/{job_id}", dependencies=READ)
def get_job(job_id: JobId, session: SessionDep, user: CurrentUser) -> JobPublic:
    """One job."""
    return _public(jobs.get_job(session, user, job_id), user)


@router.post("/jobs/{job_id}/cancel", dependencies=CREATE)
def cancel_job(
    job_id: JobId, session: SessionDep, user: CurrentUser, origin: OriginDep
) -> JobPublic:
    """Cancel: at once if not running, else `cancelling` until the training process stops."""
    return _public(jobs.cancel_job(session, user, job_id, origin), user)


@router.post("/jobs/{job_id}/retry", dependencies=CREATE)
def retry_job(
    job_id: JobId,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    executor: ExecutorDep,
    origin: OriginDep,
) -> JobPublic:
    """Queue a failed or cancelled job again (it resumes from its newest checkpoint)."""
    return _public(jobs.retry_job(session, settings, user, job_id, executor, origin), user)


@router.get("/jobs/{job_id}/events", dependencies=READ)
def job_events(
    job_id: JobId,
    session: SessionDep,
    user: CurrentUser,
    after_seq: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> EventsPublic:
    """Events after `after_seq`, oldest first."""
    rows = jobs.events(session, user, job_id, after_seq, limit)
    public = EventsPublic.model_validate({"data": rows}).model_dump()
    return EventsPublic.model_validate(
        {"data": [views.event_for(event, user) for event in public["data"]]}
    )


@router.get("/jobs/{job_id}/metrics", dependencies=READ)
def job_metrics(
    job_id: JobId,
    session: SessionDep,
    user: CurrentUser,
    after_step: Annotated[int, Query(ge=-1, le=MAX_INT64)] = -1,
    limit: Annotated[int, Query(ge=1, le=10000)] = 5000,
) -> MetricsPublic:
    """Metric rows (train and eval) after `after_step`, by step."""
    rows = jobs.metrics(session, user, job_id, after_step, limit)
    return MetricsPublic.model_validate({"data": rows})


@router.get("/jobs/{job_id}/checkpoints", dependencies=READ)
def job_checkpoints(job_id: JobId, session: SessionDep, user: CurrentUser) -> CheckpointsPublic:
    """Complete checkpoints, oldest first (a retry resumes from the newest)."""
    return CheckpointsPublic.model_validate({"data": jobs.checkpoints(session, user, job_id)})


@router.get("/jobs/{job_id}/evaluation", dependencies=READ)
def job_evaluation(job_id: int, session: SessionDep, user: CurrentUser) -> EvaluationReport:
    """The before/after report: base and tuned answers, verdicts, learned / kept / refused."""
    return EvaluationReport.model_validate(evaluations.job_evaluation(session, user, job_id))


@router.get(
    "/jobs/{job_id}/stream",
    dependencies=READ,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 429: {"model": ErrorResponse}},
)
def stream_job(
    job_id: JobId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    state: AppStateDep,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """Server-Sent Events: `event` and `metric` messages, then `end`; resumes after
    Last-Event-ID. At most EASYTUNE_STREAMS_PER_USER open per user (429 past it)."""
    job = jobs.get_job(session, user, job_id)
    release = state.stream_slots.acquire(user.id)
    ctx = job_stream.StreamContext(
        factory=state.session_factory,
        limiter=state.stream_polls,
        still_allowed=_access_check(settings, request.headers.get("authorization", ""), job.id),
        poll_seconds=settings.stream_poll_seconds,
        keepalive_seconds=settings.stream_keepalive_seconds,
    )
    frames = job_stream.stream(ctx, job.id, job_stream.Cursor.parse(last_event_id))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return SlotStream(frames, release, media_type="text/event-stream", headers=headers)


def _access_check(settings: Settings, authorization: str, job_id: int) -> Callable[[Session], bool]:
    """Re-run at each keep-alive: the credential still valid, the user active, the role and
    the job still visible."""
    bearer = authorization.partition(" ")[2]

    def check(session: Session) -> bool:
        try:
            user = auth.authenticate(session, settings, bearer).user
            if not has_permission(user.role, Permission.JOBS_READ):
                return False
            jobs.get_job(session, user, job_id)
        except EasyTuneError:
            return False
        return True

    return check
