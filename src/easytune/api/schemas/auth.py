"""Sign-in, refresh, password and personal-token schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema


class LoginRequest(Schema):
    """POST /auth/login."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(Schema):
    """POST /auth/refresh."""

    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenPairPublic(Schema):
    """Tokens after sign-in or refresh; the refresh token works once."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class PasswordChange(Schema):
    """POST /auth/password: change one's own password (ends every session)."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class ApiTokenCreate(Schema):
    """POST /auth/tokens."""

    name: str = Field(min_length=1, max_length=100, examples=["ci-pipeline"])
    expires_in_days: int = Field(90, ge=1, description="Lifetime; at most API_TOKEN_MAX_DAYS")


class ApiTokenPublic(PublicSchema):
    """A personal token without its secret."""

    id: int
    name: str
    prefix: str = Field(description="First characters of the token, to recognise it")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    """The new token; `token` is shown this once and cannot be retrieved again."""

    token: str


class ApiTokensPublic(PublicSchema):
    """The caller's personal tokens."""

    data: list[ApiTokenPublic]
    count: int
