"""Queries on login sessions, refresh tokens and personal API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from easytune.db.models import ApiToken, AuthSession, RefreshToken


def add(session: Session, *rows: AuthSession | RefreshToken | ApiToken) -> None:
    """Insert rows and flush."""
    session.add_all(rows)
    session.flush()


def get_session(session: Session, session_id: str) -> AuthSession | None:
    """The login session (refresh-token family) with this id, or None."""
    return session.get(AuthSession, session_id)


def get_refresh(session: Session, token_id: str) -> RefreshToken | None:
    """The refresh token row with this id (the JWT's jti), or None."""
    return session.get(RefreshToken, token_id)


def mark_refresh_used(session: Session, token_id: str, now: datetime) -> bool:
    """Spend the token if still unspent; False when it was spent before (atomic, race-safe)."""
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_session(session: Session, session_id: str, now: datetime, reason: str) -> None:
    """Revoke one login session (its refresh tokens and access tokens die with it)."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


def revoke_user_sessions(session: Session, user_id: int, now: datetime, reason: str) -> None:
    """Revoke every open login session of a user."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


def revoke_user_api_tokens(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live personal token of a user; how many were revoked."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def get_api_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    """The personal token with this hash, or None."""
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's personal tokens, newest first (revoked ones included, for review)."""
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def get_api_token(session: Session, user_id: int, token_id: int) -> ApiToken | None:
    """The user's own personal token by id; another user's token reads as missing."""
    query = select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    return session.scalars(query).one_or_none()
