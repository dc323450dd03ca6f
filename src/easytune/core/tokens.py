"""Token formats: HS256 JWTs (access and refresh, told apart by `typ`) and personal tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
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


class _Verified:
    """Tokens whose signature and claims checked out, with their expiry (bounded, LRU).

    Every API request decodes its access token twice (rate-limit identity, then the caller):
    PyJWT's checks cost about 0.1 ms each in Python. A token seen before under the same secret
    only has its expiry checked again; the signature cannot have changed.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._found: OrderedDict[tuple[str, str, str], tuple[TokenClaims, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> TokenClaims | None:
        with self._lock:
            found = self._found.get(key)
            if found is None:
                return None
            self._found.move_to_end(key)
        claims, expires = found
        if time.time() >= expires:  # as PyJWT: expired once now reaches exp
            raise AuthenticationFailed("token expired; sign in again or refresh")
        return claims

    def add(self, key: tuple[str, str, str], claims: TokenClaims, expires: float) -> None:
        with self._lock:
            self._found[key] = (claims, expires)
            while len(self._found) > self.max_entries:
                self._found.popitem(last=False)


_verified = _Verified()


def decode_token(settings: Settings, token: str, kind: TokenType) -> TokenClaims:
    """Verify signature, algorithm, expiry, issuer and type; any failure is a plain 401."""
    key = (settings.secret(), kind, token)
    claims = _verified.get(key)
    if claims is not None:
        return claims
    payload = _verify(settings, token, kind)
    claims = _claims(payload)
    _verified.add(key, claims, float(payload["exp"]))
    return claims


def _verify(settings: Settings, token: str, kind: TokenType) -> dict[str, Any]:
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
    return payload


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
