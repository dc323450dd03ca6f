"""Queries on the model registry (base models and adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from easytune.db.models import ModelKind, ModelRecord, Visibility


@dataclass(frozen=True)
class ModelFilter:
    """Who asks (None: an admin) and optional narrowing."""

    viewer_id: int | None
    kind: ModelKind | None = None
    base_model_id: str | None = None
    name: str | None = None


def get(session: Session, model_id: str) -> ModelRecord | None:
    """The model with this id, or None."""
    return session.get(ModelRecord, model_id)


def get_by_job(session: Session, job_id: int) -> ModelRecord | None:
    """The adapter a job produced, if registered."""
    return session.scalars(select(ModelRecord).where(ModelRecord.job_id == job_id)).one_or_none()


def get_by_name(session: Session, name: str) -> ModelRecord | None:
    """The newest version registered under `name`."""
    query = select(ModelRecord).where(ModelRecord.name == name)
    return session.scalars(query.order_by(ModelRecord.version.desc()).limit(1)).first()


def by_pattern(session: Session, pattern: str, version: int, limit: int = 50) -> list[ModelRecord]:
    """Models of `version` whose name matches the LIKE `pattern` (escape character `\\`)."""
    query = select(ModelRecord).where(
        ModelRecord.name.like(pattern, escape="\\"), ModelRecord.version == version
    )
    return list(session.scalars(query.order_by(ModelRecord.created_at).limit(limit)))


def next_version(session: Session, name: str) -> int:
    """1 for a new name, else one more than the newest version."""
    newest = session.scalar(select(func.max(ModelRecord.version)).where(ModelRecord.name == name))
    return (newest or 0) + 1


def add(session: Session, model: ModelRecord) -> ModelRecord:
    """Insert and flush."""
    session.add(model)
    session.flush()
    return model


def delete(session: Session, model: ModelRecord) -> None:
    """Delete the row."""
    session.delete(model)
    session.flush()


def count_adapters_of(session: Session, base_model_id: str) -> int:
    """Adapters trained on this base model."""
    query = select(func.count()).where(ModelRecord.base_model_id == base_model_id)
    return session.scalar(query) or 0


def page(
    session: Session, where: ModelFilter, offset: int, limit: int
) -> tuple[list[ModelRecord], int]:
    """Newest first, and the total matching."""
    query: Select[Any] = _filtered(select(ModelRecord), where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (ModelRecord.created_at.desc(), ModelRecord.id)
    return list(session.scalars(query.order_by(*order).offset(offset).limit(limit))), total


def _filtered(query: Select[Any], where: ModelFilter) -> Select[Any]:
    if where.viewer_id is not None:
        query = query.where(
            or_(
                ModelRecord.owner_id == where.viewer_id,
                ModelRecord.visibility == Visibility.SHARED,
            )
        )
    if where.kind is not None:
        query = query.where(ModelRecord.kind == where.kind)
    if where.base_model_id is not None:
        query = query.where(ModelRecord.base_model_id == where.base_model_id)
    if where.name:
        query = query.where(ModelRecord.name.ilike(f"%{where.name}%"))
    return query
