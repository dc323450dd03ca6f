"""Token formats: HS256 JWTs (access and refresh, told apart by `typ`) and personal tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt

from easytune.core.errors import AuthenticationFailed
from easytune.db.base import utcnow
from easytune.settings import Settings

ALGORITHM = "HS256"  # pinned: a token naming any other algorithm (or "none") is refused
ISSUER = "easytune"
API_TOKEN_PREFIX = "et_pat_"
TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenClaims:
    """The claims EasyTune relies on, after signature, expiry and type were checked."""

    user_id: int
    session_id: str
    token_id: str
    version: int
    expires_at: datetime


def new_id() -> str:
    """A random 128-bit identifier as 32 hex characters (sessions, token ids)."""
    return secrets.token_hex(16)


def encode_token(
    settings: Settings, kind: TokenType, claims: TokenClaims, issued_at: datetime
) -> str:
    """Sign a token of `kind` carrying `claims`."""
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "sub": str(claims.user_id),
        "typ": kind,
        "sid": claims.session_id,
        "jti": claims.token_id,
        "ver": claims.version,
        "iat": issued_at,
        "exp": claims.expires_at,
    }
    return jwt.encode(payload, settings.secret(), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str, kind: TokenType) -> TokenClaims:
    """Verify signature, algorithm, expiry, issuer and type; any failure is a plain 401."""
    try:
        payload = jwt.decode(
            token,
            settings.secret(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "typ", "sid", "jti", "ver"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("token expired; sign in again or refresh") from None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed("invalid token") from None
    if payload["typ"] != kind:
        raise AuthenticationFailed(f"invalid token: a {kind} token is required")
    return _claims(payload)


def _claims(payload: dict[str, Any]) -> TokenClaims:
    try:
        return TokenClaims(
            user_id=int(payload["sub"]),
            session_id=str(payload["sid"]),
            token_id=str(payload["jti"]),
            version=int(payload["ver"]),
            expires_at=utcnow(),  # only used when encoding; decoded expiry was checked above
        )
    except (TypeError, ValueError):
        raise AuthenticationFailed("invalid token") from None


def digest(token: str) -> str:
    """SHA-256 hex digest; enough for high-entropy random tokens (not for passwords)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token() -> str:
    """A fresh personal API token; recognisable by its prefix (secret scanners, logs)."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def expiry(minutes: float = 0, days: float = 0) -> datetime:
    """Now plus the given lifetime."""
    return utcnow() + timedelta(minutes=minutes, days=days)
