"""Ownership rules shared by every resource: owners and admins act, others see what is shared.

Reading something neither owned nor shared is a 404 (its existence is not revealed); changing
something visible but not owned is a 403.
"""

from __future__ import annotations

from typing import Protocol

from easytune.core.errors import NotFound, PermissionDenied
from easytune.db.models import Role, User, Visibility


class Owned(Protocol):
    @property
    def owner_id(self) -> int | None: ...


class Shareable(Owned, Protocol):
    @property
    def visibility(self) -> str: ...


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def viewer_scope(user: User) -> int | None:
    """The owner id lists are scoped to; None for admins (they see everything)."""
    return None if is_admin(user) else user.id


def can_read(user: User, item: Shareable) -> bool:
    """Owners, admins, and anyone for shared items."""
    return is_admin(user) or item.owner_id == user.id or item.visibility == Visibility.SHARED


def check_read(user: User, item: Shareable | None, what: str, item_id: object) -> None:
    """NotFound unless `user` may see `item`."""
    if item is None or not can_read(user, item):
        raise NotFound(f"no {what} with id {item_id}", param="id")


def check_owner(user: User, item: Owned, what: str, item_id: object) -> None:
    """PermissionDenied unless `user` owns `item` or is an admin (call after check_read)."""
    if not (is_admin(user) or item.owner_id == user.id):
        raise PermissionDenied(
            f"{what} {item_id} belongs to another user; only they or an admin may change it"
        )
