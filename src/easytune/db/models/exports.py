"""Exports of an adapter (merged folder, GGUF, GGUF LoRA), registered when their job succeeds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from easytune.db.base import Base, CreatedAtMixin


class ExportRecord(CreatedAtMixin, Base):
    """One artefact folder under its export job's folder, with lineage and checksums."""

    __tablename__ = "exports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    # Lineage: the adapter's base, and the job that made this export.
    base_model_id: Mapped[str | None] = mapped_column(
        ForeignKey("models.id", ondelete="SET NULL"), default=None
    )
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), unique=True, default=None
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    format: Mapped[str] = mapped_column(String(16))  # merged | gguf | gguf_lora
    quantization: Mapped[str | None] = mapped_column(String(16), default=None)
    path: Mapped[str] = mapped_column(String(1024))  # the artefact folder
    primary_file: Mapped[str] = mapped_column(String(255))  # what download serves by default
    size_bytes: Mapped[int] = mapped_column(BigInteger)  # of the primary file
    sha256: Mapped[str] = mapped_column(String(64))  # of the primary file
    # [{name, size, sha256}] of every file, and how llama.cpp's greedy tokens matched.
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
