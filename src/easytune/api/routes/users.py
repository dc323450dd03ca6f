"""/api/v1/users: account administration (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from easytune.api.deps import OriginDep, SessionDep, SettingsDep, require
from easytune.api.schemas.common import ERROR_RESPONSES, Offset, RowId
from easytune.api.schemas.users import UserCreate, UserPublic, UsersPublic, UserUpdate
from easytune.core import users
from easytune.core.permissions import Permission

router = APIRouter(
    prefix="/users",
    tags=["users"],
    responses=ERROR_RESPONSES,
    dependencies=[require(Permission.USERS_MANAGE)],
)


@router.get("")
def list_users(
    session: SessionDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> UsersPublic:
    """A page of users, by id."""
    rows, total = users.list_users(session, offset, limit)
    return UsersPublic(data=[UserPublic.model_validate(u) for u in rows], count=total)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserCreate, session: SessionDep, settings: SettingsDep, origin: OriginDep
) -> UserPublic:
    """Create an account (username, password, role)."""
    user = users.create_user(session, settings, body.username, body.password, body.role, origin)
    return UserPublic.model_validate(user)


@router.get("/{user_id}")
def get_user(user_id: RowId, session: SessionDep) -> UserPublic:
    """One user."""
    return UserPublic.model_validate(users.get_user(session, user_id))


@router.patch("/{user_id}")
def update_user(
    user_id: RowId, body: UserUpdate, session: SessionDep, settings: SettingsDep, origin: OriginDep
) -> UserPublic:
    """Change role, enable/disable, or set a password; takes effect on the next request."""
    changes = users.UserChanges(role=body.role, is_active=body.is_active, password=body.password)
    user = users.update_user(session, settings, users.get_user(session, user_id), changes, origin)
    return UserPublic.model_validate(user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: RowId, session: SessionDep, origin: OriginDep) -> None:
    """Delete an account; its audit rows stay, naming it."""
    users.delete_user(session, users.get_user(session, user_id), origin)
