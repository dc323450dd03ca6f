"""Plan and job schemas: PlanRequest / PlanPublic, JobCreate / JobPublic / JobsPublic, ..."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema
from easytune.db.models import JobStatus


class IntentIn(Schema):
    """What the model should learn: L1 style, L2 domain knowledge, L3 instructions, or auto."""

    level: Literal["L1", "L2", "L3", "auto"]
    description: str = Field("", max_length=4000, description="The goal, in words (for auto)")


class PlanRequest(Schema):
    """POST /intent/plan."""

    base_model_id: str = Field(min_length=1, max_length=64)
    dataset_id: str = Field(min_length=1, max_length=64)
    intent: IntentIn
    overrides: dict[str, Any] = Field(
        default_factory=dict, description='Expert settings by spec path, e.g. {"lora.r": 16}'
    )


class JobCreate(PlanRequest):
    """POST /jobs."""

    name: str = Field(min_length=1, max_length=200)
    priority: int = Field(0, ge=0, le=10, description="Higher runs first")


class PlanPublic(PublicSchema):
    """A resolved plan: the spec, a reason per setting, memory/time estimate, warnings."""

    level: str
    level_reason: str
    spec: dict[str, Any]
    reasons: dict[str, str]
    estimate: dict[str, Any]
    warnings: list[str]


class JobPublic(PublicSchema):
    """A job and the state of its current attempt."""

    id: int
    name: str
    owner_id: int
    status: JobStatus
    priority: int
    base_model_id: str | None
    dataset_id: str | None
    attempt: int
    max_attempts: int
    spec: dict[str, Any]
    error: dict[str, Any] | None
    result: dict[str, Any] | None = Field(description="On success: adapter_model_id, metrics")
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    cancel_requested_at: datetime | None


class JobCreated(JobPublic):
    """POST /jobs: the job and the plan it runs."""

    plan: PlanPublic


class JobsPublic(PublicSchema):
    data: list[JobPublic]
    count: int


class EventPublic(PublicSchema):
    seq: int
    attempt: int
    level: str
    message: str
    data: dict[str, Any]
    created_at: datetime


class EventsPublic(PublicSchema):
    data: list[EventPublic]


class MetricPublic(PublicSchema):
    step: int
    kind: str
    attempt: int
    epoch: float | None
    loss: float | None
    eval_loss: float | None
    lr: float | None
    tokens_per_s: float | None
    cf_score: float | None
    extra: dict[str, Any]
    created_at: datetime


class MetricsPublic(PublicSchema):
    data: list[MetricPublic]


class CheckpointPublic(PublicSchema):
    name: str
    step: int
    epoch: int | None
    tokens_seen: int | None
    best_eval_loss: float | None
    size_bytes: int


class CheckpointsPublic(PublicSchema):
    data: list[CheckpointPublic]
