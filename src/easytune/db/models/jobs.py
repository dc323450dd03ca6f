"""Fine-tuning jobs, their events and their metrics. The job row is the system of record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from easytune.db.base import Base, CreatedAtMixin, utcnow


class JobStatus(StrEnum):
    """Job states, named as in the OpenAI fine-tuning API (transitions: easytune.jobs.status)."""

    VALIDATING_FILES = "validating_files"
    QUEUED = "queued"
    RUNNING = "running"
    CANCELLING = "cancelling"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobKind(StrEnum):
    """What a job does; each kind is an entry of easytune.jobs.kinds (command, on success)."""

    TRAIN = "train"
    EXPORT = "export"
    EVALUATION = "evaluation"


class EventLevel(StrEnum):
    """Severity of a job event."""

    INFO = "info"
    WARN = "warn"
    ERROR = "error"


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class Job(CreatedAtMixin, Base):
    """One fine-tune request and the state of its current attempt (lease, heartbeat)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(JobStatus)})", name="status"),
        CheckConstraint("attempt >= 1 AND max_attempts >= 1", name="attempts"),
        CheckConstraint(f"kind IN ({_values(JobKind)})", name="kind"),
        # The claim query: queued jobs by priority, then age.
        Index("ix_jobs_claim", "status", "priority", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[JobKind] = mapped_column(String(16), default=JobKind.TRAIN, server_default="train")
    status: Mapped[JobStatus] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(default=0)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Registry ids; the datasets/models registry will add the foreign keys.
    base_model_id: Mapped[str | None] = mapped_column(String(64), default=None)
    dataset_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The number of the current (or next) try, from 1; a lost worker or a retryable failure
    # moves the job back to queued with attempt + 1, until max_attempts.
    attempt: Mapped[int] = mapped_column(default=1)
    max_attempts: Mapped[int] = mapped_column(default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(128), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Where training is: {step, total_steps, start_step, epoch, updated_at}; kept by the worker
    # from the child's progress lines so lists show progress without reading the metrics.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    output_dir: Mapped[str | None] = mapped_column(String(1024), default=None)
    # Last event sequence number handed out; bumped in the same transaction as the insert.
    event_seq: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobEvent(CreatedAtMixin, Base):
    """A line of the job's story: info, warn or error, with structured data."""

    __tablename__ = "job_events"
    __table_args__ = (
        UniqueConstraint("job_id", "seq", name="uq_job_events_job_id_seq"),
        # "<run token>:<line number>" for lines read from a child, so a replay is a no-op.
        UniqueConstraint("job_id", "source", name="uq_job_events_job_id_source"),
        CheckConstraint(f"level IN ({_values(EventLevel)})", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    seq: Mapped[int]
    attempt: Mapped[int]
    level: Mapped[EventLevel] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str | None] = mapped_column(String(64), default=None)
    # The message as a stable code and parameters (easytune.i18n), for clients to translate.
    code: Mapped[str | None] = mapped_column(String(64), default=None)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class JobMetric(CreatedAtMixin, Base):
    """Training numbers at one step; one row per (job, step, kind), a replay overwrites it."""

    __tablename__ = "job_metrics"
    __table_args__ = (
        UniqueConstraint("job_id", "step", "kind", name="uq_job_metrics_job_id_step_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    step: Mapped[int]
    # "train" for the training-loss lines, "eval" for evaluation lines at the same step.
    kind: Mapped[str] = mapped_column(String(16), default="train")
    attempt: Mapped[int]
    epoch: Mapped[float | None] = mapped_column(default=None)
    loss: Mapped[float | None] = mapped_column(default=None)
    eval_loss: Mapped[float | None] = mapped_column(default=None)
    lr: Mapped[float | None] = mapped_column(default=None)
    tokens_per_s: Mapped[float | None] = mapped_column(default=None)
    cf_score: Mapped[float | None] = mapped_column(default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
