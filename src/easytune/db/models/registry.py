"""The registry: uploaded datasets, and models (base models and the adapters trained on them)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from easytune.db.base import Base, CreatedAtMixin, utcnow


class Visibility(StrEnum):
    """Who besides the owner (and admins) sees a resource."""

    PRIVATE = "private"
    SHARED = "shared"


class ModelKind(StrEnum):
    """A base model registered from a server path, or an adapter a job trained."""

    BASE = "base"
    ADAPTER = "adapter"


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class ImportStatus(StrEnum):
    """An imported adapter after its scan passed: probed, then usable or held back."""

    PROBING = "probing"
    USABLE = "usable"
    FLAGGED = "flagged"  # the probes saw the refusal rate drop: not usable
    PROBE_FAILED = "probe_failed"  # the probes could not run: not usable until re-probed


class Dataset(CreatedAtMixin, Base):
    """A validated dataset file stored under DATA_DIR/datasets/<id>/, with its statistics."""

    __tablename__ = "datasets"
    __table_args__ = (CheckConstraint(f"visibility IN ({_values(Visibility)})", name="visibility"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[Visibility] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(32))  # alpaca | sharegpt | openai | text
    source_format: Mapped[str] = mapped_column(String(16))  # json | jsonl | csv | parquet | txt
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded; shown, never a path
    path: Mapped[str] = mapped_column(String(1024))  # built from the id
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    examples: Mapped[int]
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # DatasetReport.to_dict() + tokenizer
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ModelRecord(CreatedAtMixin, Base):
    """A base model or an adapter; adapters carry their lineage (base, data, job, spec)."""

    __tablename__ = "models"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(ModelKind)})", name="kind"),
        CheckConstraint(f"visibility IN ({_values(Visibility)})", name="visibility"),
        UniqueConstraint("name", "version", name="uq_models_name_version"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[ModelKind] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]  # v1, v2, ... per name
    path: Mapped[str] = mapped_column(String(1024))
    gguf_file: Mapped[str | None] = mapped_column(String(255), default=None)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, default=None)
    visibility: Mapped[Visibility] = mapped_column(String(16))
    # The intent engine's ModelFacts, computed once at registration (base models only).
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Lineage of adapters.
    base_model_id: Mapped[str | None] = mapped_column(
        ForeignKey("models.id"), index=True, default=None
    )
    dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), default=None
    )
    dataset_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), unique=True, default=None
    )
    spec: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    cf_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    eval_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Imported adapters: probing -> usable | flagged | probe_failed (null: not imported).
    import_status: Mapped[str | None] = mapped_column(String(16), default=None)
    import_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
