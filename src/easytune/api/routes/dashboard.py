"""/api/v1/dashboard: counts, running jobs, recent adapters and workers at a glance."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from easytune.api.deps import CurrentUser, SessionDep, require
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.dashboard import DashboardPublic
from easytune.core import dashboard
from easytune.core.permissions import Permission

router = APIRouter(prefix="/dashboard", tags=["dashboard"], responses=ERROR_RESPONSES)


@router.get("", dependencies=[require(Permission.JOBS_READ)])
def get_dashboard(session: SessionDep, user: CurrentUser) -> DashboardPublic:
    """Your jobs by status, what you can see in the registry, and the workers."""
    view = dashboard.dashboard(session, user)
    return DashboardPublic.model_validate(
        {**asdict(view), "running_jobs": view.running_jobs, "recent_adapters": view.recent_adapters}
    )
