"""Personal API tokens: shown once at creation, stored as a hash, revocable, expiring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from easytune.core import audit
from easytune.core.audit import Origin
from easytune.core.auth import Principal
from easytune.core.errors import NotFound, PermissionDenied, ValidationFailed
from easytune.core.tokens import API_TOKEN_PREFIX, digest, new_api_token
from easytune.db.base import utcnow
from easytune.db.models import ApiToken, User
from easytune.db.repositories import tokens as repo
from easytune.settings import Settings

PREFIX_SHOWN = len(API_TOKEN_PREFIX) + 4


@dataclass(frozen=True)
class CreatedToken:
    """The stored row and the secret, which exists only in this response."""

    row: ApiToken
    secret: str


def create(
    session: Session, settings: Settings, principal: Principal, name: str, days: int,
    origin: Origin,
) -> CreatedToken:  # fmt: skip
    """A new token lasting `days` (at most API_TOKEN_MAX_DAYS), for a signed-in session only:
    a token minting tokens would outlive its own expiry and revocation."""
    if principal.session_id is None:
        raise PermissionDenied(
            "a personal API token cannot create tokens; sign in with your password "
            "(the web UI's Settings page) to create one",
            code="session_required",
        )
    user = principal.user
    if days > settings.api_token_max_days:
        raise ValidationFailed(
            f"expires_in_days must be at most {settings.api_token_max_days} "
            "(EASYTUNE_API_TOKEN_MAX_DAYS)",
            param="expires_in_days",
        )
    secret = new_api_token()
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:PREFIX_SHOWN],
        token_hash=digest(secret),
        expires_at=utcnow() + timedelta(days=days),
    )
    repo.add(session, row)
    audit.record(session, "api_token.created", origin, target=user, token_id=row.id, name=name)
    return CreatedToken(row=row, secret=secret)


def list_for(session: Session, user: User) -> list[ApiToken]:
    """The user's own tokens, newest first."""
    return repo.list_api_tokens(session, user.id)


def revoke(session: Session, user: User, token_id: int, origin: Origin) -> None:
    """Revoke one of the user's own tokens; anyone else's reads as not found."""
    row = repo.get_api_token(session, user.id, token_id)
    if row is None:
        raise NotFound(f"no API token with id {token_id}", param="id")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, "api_token.revoked", origin, target=user, token_id=row.id)
    session.flush()
