"""Queries on datasets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from easytune.db.models import Dataset, Visibility


@dataclass(frozen=True)
class DatasetFilter:
    """Who asks (None: an admin, who sees all) and optional narrowing."""

    viewer_id: int | None
    owner_id: int | None = None
    format: str | None = None
    name: str | None = None  # substring, case-insensitive


def get(session: Session, dataset_id: str) -> Dataset | None:
    """The dataset with this id, or None."""
    return session.get(Dataset, dataset_id)


def add(session: Session, dataset: Dataset) -> Dataset:
    """Insert and flush."""
    session.add(dataset)
    session.flush()
    return dataset


def delete(session: Session, dataset: Dataset) -> None:
    """Delete the row (adapters keep their lineage checksum; their link becomes NULL)."""
    session.delete(dataset)
    session.flush()


def page(
    session: Session, where: DatasetFilter, offset: int, limit: int
) -> tuple[list[Dataset], int]:
    """Newest first, and the total matching."""
    query: Select[Any] = _filtered(select(Dataset), where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Dataset.created_at.desc(), Dataset.id).offset(offset).limit(limit)
    )
    return list(rows), total


def _filtered(query: Select[Any], where: DatasetFilter) -> Select[Any]:
    if where.viewer_id is not None:
        query = query.where(
            or_(Dataset.owner_id == where.viewer_id, Dataset.visibility == Visibility.SHARED)
        )
    if where.owner_id is not None:
        query = query.where(Dataset.owner_id == where.owner_id)
    if where.format is not None:
        query = query.where(Dataset.format == where.format)
    if where.name:
        query = query.where(Dataset.name.ilike(f"%{where.name}%"))
    return query


def bytes_owned(session: Session, owner_id: int) -> int:
    """Bytes of dataset files `owner_id` stores."""
    query = select(func.coalesce(func.sum(Dataset.size_bytes), 0)).where(
        Dataset.owner_id == owner_id
    )
    return int(session.scalar(query) or 0)


def has_named(session: Session, owner_id: int, name: str) -> bool:
    """Whether `owner_id` has a dataset called `name`."""
    query = select(Dataset.id).where(Dataset.owner_id == owner_id, Dataset.name == name)
    return session.scalars(query.limit(1)).first() is not None
