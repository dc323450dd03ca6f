"""Dashboard schemas: DashboardPublic and WorkerPublic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from easytune.api.schemas.common import PublicSchema
from easytune.api.schemas.jobs import JobPublic
from easytune.api.schemas.models import ModelPublic


class WorkerPublic(PublicSchema):
    """A worker process heard from in the last day."""

    name: str = Field(description="host:pid")
    hostname: str
    executor: str = Field(description="local or celery")
    slots: int = Field(description="Jobs it runs at once")
    busy: int = Field(description="Jobs it runs now")
    online: bool = Field(description="Heard from in the last 45 s and not stopped")
    started_at: datetime
    last_seen_at: datetime
    hardware: dict[str, Any] | None = Field(description="HardwareFacts: device, GPUs, memory")


class DashboardPublic(PublicSchema):
    """Counts and short lists, scoped like the lists they summarise (admins: everything)."""

    jobs_by_status: dict[str, int]
    datasets: int
    base_models: int
    adapters: int
    running_jobs: list[JobPublic]
    recent_adapters: list[ModelPublic]
    workers: list[WorkerPublic]
