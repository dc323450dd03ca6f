"""Plan and job schemas: PlanRequest / PlanPublic, JobCreate / JobPublic / JobsPublic, ..."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from easytune.api.schemas.common import (
    OUTCOME_DETAIL_HELP,
    OUTCOME_HELP,
    MessageDetail,
    Outcome,
    PublicSchema,
    Schema,
    outcome_of,
)
from easytune.db.models import JobKind, JobStatus
from easytune.jobs.eta import eta_seconds


class IntentIn(Schema):
    """What the model should learn: L1 style, L2 domain knowledge, L3 instructions, preference
    (prefer answers like these: DPO/KTO on pairs or labelled answers), or auto."""

    level: Literal["L1", "L2", "L3", "preference", "auto"]
    description: str = Field("", max_length=4000, description="The goal, in words (for auto)")


class PlanRequest(Schema):
    """POST /intent/plan."""

    base_model_id: str = Field(min_length=1, max_length=64)
    dataset_id: str = Field(min_length=1, max_length=64)
    intent: IntentIn
    overrides: dict[str, Any] = Field(
        default_factory=dict, description='Expert settings by spec path, e.g. {"lora.r": 16}'
    )
    mix_dataset_id: str | None = Field(
        None,
        max_length=64,
        description="A second dataset trained alongside, e.g. a few chats next to a text corpus",
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
    # The same texts as {code, params}, for clients that show them in the reader's language
    # (absent from plans stored before codes existed).
    level_reason_detail: MessageDetail | None = None
    reason_details: dict[str, MessageDetail] = Field(default_factory=dict)
    warning_details: list[MessageDetail] = Field(default_factory=list)


class JobProgress(PublicSchema):
    """Where training is; `fraction` and `eta_s` once the total is known."""

    step: int
    total_steps: int | None
    epoch: float | None
    stage: str | None = Field(None, description="Exports: the stage running (merge, convert...)")
    fraction: float | None = Field(description="0..1; 1 once succeeded")
    eta_s: float | None = Field(
        description="Seconds left at the recent pace (the last few steps, a moving window)"
    )


def progress_view(
    progress: dict[str, Any] | None, status: JobStatus | None, started_at: datetime | None
) -> dict[str, Any] | None:
    """The stored progress dict plus what follows from it: fraction done and time left."""
    if not progress:
        return None
    step, total = int(progress.get("step", 0)), progress.get("total_steps")
    fraction = min(step / total, 1.0) if total else None
    eta = None
    if status == JobStatus.SUCCEEDED:
        fraction, eta = 1.0, 0.0
    elif total:
        eta = eta_seconds(progress.get("recent", []), step, int(total))
    epoch, stage = progress.get("epoch"), progress.get("stage")
    return {
        "step": step, "total_steps": total, "epoch": epoch, "stage": stage,
        "fraction": fraction, "eta_s": eta,
    }  # fmt: skip


class JobPublic(PublicSchema):
    """A job and the state of its current attempt."""

    id: int
    name: str
    kind: JobKind = Field(description="train | export | evaluation")
    owner_id: int
    status: JobStatus
    priority: int
    base_model_id: str | None
    dataset_id: str | None
    attempt: int
    max_attempts: int
    spec: dict[str, Any]
    error: dict[str, Any] | None
    result: dict[str, Any] | None = Field(
        description="On success: adapter_model_id, metrics, outcome, chosen_step, selection"
    )
    outcome: Outcome | None = Field(None, description=OUTCOME_HELP)
    outcome_message: str | None = Field(
        None, description="What was learned, what was kept or lost, and what to try"
    )
    outcome_detail: MessageDetail | None = Field(None, description=OUTCOME_DETAIL_HELP)
    chosen_step: int | None = Field(
        None, description="The step whose adapter was kept (result.selection says why)"
    )
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    cancel_requested_at: datetime | None
    progress: JobProgress | None = Field(None, description="Null until training started")

    @field_validator("progress", mode="before")
    @classmethod
    def _progress(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, dict) and "fraction" not in value:
            return progress_view(value, info.data.get("status"), info.data.get("started_at"))
        return value

    @model_validator(mode="after")
    def _outcome(self) -> JobPublic:
        """The outcome, its sentence and the kept step, lifted out of the result."""
        self.outcome, self.outcome_message, self.outcome_detail = outcome_of(self.result)
        step = (self.result or {}).get("chosen_step")
        self.chosen_step = step if isinstance(step, int) else None
        return self


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
    code: str | None = Field(None, description="The message's stable code (None: plain text)")
    params: dict[str, Any] | None = Field(None, description="The parameters the code's text reads")


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
