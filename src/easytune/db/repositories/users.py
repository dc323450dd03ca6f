"""Queries on users."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easytune.db.models import Dataset, ModelRecord, Role, User


def get(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def get_by_username(session: Session, username: str) -> User | None:
    """The user with this (lower-case) username, or None."""
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def page(session: Session, offset: int, limit: int) -> tuple[list[User], int]:
    """One page of users by id, and the total count."""
    rows = session.scalars(select(User).order_by(User.id).offset(offset).limit(limit)).all()
    total = session.scalar(select(func.count()).select_from(User)) or 0
    return list(rows), total


def owned(session: Session, user_id: int) -> dict[str, int]:
    """Datasets and models a user owns, by kind (non-zero only); their jobs are counted by
    easytune.jobs.repository.count_owned."""
    counts = {
        kind: session.scalar(select(func.count()).where(column == user_id)) or 0
        for kind, column in (
            ("datasets", Dataset.owner_id), ("models", ModelRecord.owner_id),
        )
    }  # fmt: skip
    return {kind: n for kind, n in counts.items() if n}


def count(session: Session) -> int:
    """How many users exist."""
    return session.scalar(select(func.count()).select_from(User)) or 0


def count_active_admins(session: Session) -> int:
    """How many enabled admins exist (the last one may not be removed)."""
    query = select(func.count()).where(User.role == Role.ADMIN, User.is_active.is_(True))
    return session.scalar(query) or 0


def add(session: Session, user: User) -> User:
    """Insert `user` and flush, so its id is known."""
    session.add(user)
    session.flush()
    return user


def delete(session: Session, user: User) -> None:
    """Delete `user`; sessions and tokens go with it (ON DELETE CASCADE)."""
    session.delete(user)
    session.flush()
