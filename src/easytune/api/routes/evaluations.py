"""/api/v1/evaluations: evaluation jobs comparing several models, and their reports."""

from __future__ import annotations

from fastapi import APIRouter, status

from easytune.api import views
from easytune.api.deps import (
    CurrentUser,
    ExecutorDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    require,
)
from easytune.api.schemas.common import ERROR_RESPONSES, RowId
from easytune.api.schemas.evaluations import ComparisonPublic, EvaluationCreate
from easytune.api.schemas.jobs import JobPublic
from easytune.core import comparisons
from easytune.core.permissions import Permission

router = APIRouter(tags=["evaluations"], responses=ERROR_RESPONSES)


@router.post(
    "/evaluations",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.JOBS_CREATE)],
)
def create_evaluation(
    body: EvaluationCreate, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    executor: ExecutorDep, origin: OriginDep,
) -> JobPublic:  # fmt: skip
    """Queue an evaluation job (kind `evaluation`); follow it under /jobs/{id}."""
    request = comparisons.EvaluationRequest(**body.model_dump())
    job = comparisons.create_evaluation(session, settings, user, request, executor, origin)
    return JobPublic.model_validate(job).model_copy(update=views.job_redactions(job, user))


@router.get("/evaluations/{job_id}", dependencies=[require(Permission.JOBS_READ)])
def get_evaluation(job_id: RowId, session: SessionDep, user: CurrentUser) -> ComparisonPublic:
    """The comparison: per model verdict totals (learned, kept, refused) and every answer."""
    return ComparisonPublic.model_validate(comparisons.get_comparison(session, user, job_id))
