"""The audit trail: one function to write a row, one to read a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from easytune.db.models import AuditEvent, User
from easytune.db.repositories import audit as repo
from easytune.db.repositories.audit import AuditFilter

__all__ = ["CLI", "AuditFilter", "Origin", "by", "page", "record"]


@dataclass(frozen=True)
class Origin:
    """Who acts and from where: the user (None before sign-in or from the CLI) and address."""

    user: User | None = None
    client_address: str | None = None
    via: str = "api"


CLI = Origin(via="cli")


def record(
    session: Session,
    action: str,
    origin: Origin,
    *,
    target: User | None = None,
    target_ref: tuple[str, str] | None = None,
    actor_username: str | None = None,
    **detail: Any,
) -> None:
    """Append an audit row, e.g. record(s, "user.role_changed", origin, target=u, old=..);
    `target_ref` names another kind of target: ("model", model.id)."""
    actor = origin.user
    if target is not None:
        target_ref = ("user", str(target.id))
    repo.add_event(
        session,
        AuditEvent(
            action=action,
            actor_id=actor.id if actor else None,
            actor_username=actor.username if actor else actor_username,
            target_type=target_ref[0] if target_ref else None,
            target_id=target_ref[1] if target_ref else None,
            client_address=origin.client_address,
            detail={"via": origin.via, **detail},
        ),
    )


def by(user: User | None, origin: Origin | None) -> Origin:
    """The origin a route passed, else the user acting from inside the server."""
    return origin or Origin(user=user, via="api" if user else "server")


def page(
    session: Session, offset: int, limit: int, where: AuditFilter | None = None
) -> tuple[list[AuditEvent], int]:
    """Newest first; `where.action` filters exactly, or by prefix when it ends with '.'."""
    return repo.page_events(session, offset, limit, where)
