"""User schemas: UserCreate / UserUpdate / UserPublic / UsersPublic."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema
from easytune.db.models import Role


class UserCreate(Schema):
    """POST /users."""

    username: str = Field(min_length=1, max_length=64, examples=["alice"])
    password: str = Field(min_length=1, max_length=1024)
    role: Role = Role.VIEWER


class UserUpdate(Schema):
    """PATCH /users/{id}: only the fields sent change."""

    role: Role | None = None
    is_active: bool | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)


class UserPublic(PublicSchema):
    """A user as shown to admins (never the password hash)."""

    id: int
    username: str
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UsersPublic(PublicSchema):
    """A page of users."""

    data: list[UserPublic]
    count: int = Field(description="Total number of users")


class Me(UserPublic):
    """GET /auth/me: the caller and what their role allows."""

    permissions: list[str]
