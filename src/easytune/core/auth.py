"""Sign-in, token refresh with rotation and reuse detection, sign-out, request authentication."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from sqlalchemy.orm import Session

from easytune.core import audit, throttle
from easytune.core.audit import Origin
from easytune.core.auth_cache import AuthCache, CacheKey, attach
from easytune.core.errors import (
    AuthenticationFailed,
    InvalidCredentials,
    InvalidRequest,
    TokenReused,
)
from easytune.core.passwords import hash_password, needs_rehash, verify_password
from easytune.core.tokens import (
    API_TOKEN_PREFIX,
    TokenClaims,
    decode_token,
    digest,
    encode_token,
    new_id,
)
from easytune.db.base import utcnow
from easytune.db.models import AuthSession, RefreshToken, User
from easytune.db.repositories import tokens as token_repo
from easytune.db.repositories import users as user_repo
from easytune.settings import Settings

# Personal tokens record their last use at most this often, to keep reads from writing.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenPair:
    """What a sign-in or refresh hands back."""

    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the user and what authenticated them."""

    user: User
    session_id: str | None = None
    api_token_id: int | None = None


def normalize_username(username: str) -> str:
    """Usernames compare case-insensitively and ignore surrounding spaces."""
    return username.strip().lower()


def login(
    session: Session, settings: Settings, username: str, password: str, origin: Origin
) -> TokenPair:
    """Check the password (throttled) and open a new login session."""
    username = normalize_username(username)
    throttle.reserve(session, settings, username, origin.client_address)
    user = user_repo.get_by_username(session, username)
    if not _password_matches(settings, user, password):
        _fail_login(session, username, origin, user, "wrong_password" if user else "unknown_user")
    assert user is not None
    if not user.is_active:
        # The same answer as a wrong password: a disabled account's password is no oracle.
        _fail_login(session, username, origin, user, "disabled")
    throttle.record_success(session, settings, username, origin.client_address)
    if needs_rehash(settings, user.password_hash):
        user.password_hash = hash_password(settings, password)
    user.last_login_at = utcnow()
    auth_session = AuthSession(id=new_id(), user_id=user.id, client_address=origin.client_address)
    token_repo.add(session, auth_session)
    audit.record(session, "auth.login.succeeded", Origin(user, origin.client_address, origin.via))
    return issue_tokens(session, settings, user, auth_session.id)


def _password_matches(settings: Settings, user: User | None, password: str) -> bool:
    # Unknown users still cost one hash, so response time does not reveal who exists.
    stored = user.password_hash if user else _dummy_hash(settings)
    return verify_password(settings, stored, password) and user is not None


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hash_password(settings, new_id())
    return _DUMMY_HASHES[key]


def _fail_login(
    session: Session, username: str, origin: Origin, user: User | None, reason: str
) -> NoReturn:
    # The attempt was already counted by throttle.reserve, in its own transaction.
    audit.record(
        session, "auth.login.failed", origin, target=user, actor_username=username, reason=reason
    )
    raise InvalidCredentials("wrong username or password")


def issue_tokens(session: Session, settings: Settings, user: User, session_id: str) -> TokenPair:
    """A new access token and a new single-use refresh token in login session `session_id`."""
    now = utcnow()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access = TokenClaims(user.id, session_id, new_id(), user.token_version, now + lifetime)
    refresh_expiry = now + timedelta(days=settings.refresh_token_days)
    refresh = TokenClaims(user.id, session_id, new_id(), user.token_version, refresh_expiry)
    refresh_token = encode_token(settings, "refresh", refresh, now)
    token_repo.add(
        session,
        RefreshToken(
            id=refresh.token_id,
            session_id=session_id,
            token_hash=digest(refresh_token),
            expires_at=refresh_expiry,
        ),
    )
    return TokenPair(
        access_token=encode_token(settings, "access", access, now),
        refresh_token=refresh_token,
        expires_in=int(lifetime.total_seconds()),
    )


def refresh(session: Session, settings: Settings, refresh_token: str, origin: Origin) -> TokenPair:
    """Spend `refresh_token` for a new pair; a spent one revokes its whole login session."""
    claims = decode_token(settings, refresh_token, "refresh")
    row = token_repo.get_refresh(session, claims.token_id)
    if row is None or not hmac.compare_digest(row.token_hash, digest(refresh_token)):
        raise AuthenticationFailed("invalid refresh token")
    auth_session = token_repo.get_session(session, row.session_id)
    if auth_session is None or auth_session.revoked_at is not None:
        raise AuthenticationFailed("this sign-in has ended; sign in again")
    now = utcnow()
    if now - auth_session.created_at > timedelta(days=settings.session_max_days):
        # An absolute lifetime: refreshing cannot keep a stolen sign-in alive forever.
        raise AuthenticationFailed(
            f"this sign-in is older than {settings.session_max_days} days; sign in again"
        )
    if not token_repo.mark_refresh_used(session, row.id, now):
        _revoke_reused(session, auth_session, origin)
    user = _valid_user(session, claims)
    auth_session.last_used_at = now
    return issue_tokens(session, settings, user, auth_session.id)


def _revoke_reused(session: Session, auth_session: AuthSession, origin: Origin) -> None:
    token_repo.revoke_session(session, auth_session.id, utcnow(), "refresh_token_reused")
    target = user_repo.get(session, auth_session.user_id)
    audit.record(
        session, "auth.refresh_token.reused", origin, target=target, session_id=auth_session.id
    )
    raise TokenReused(
        "this refresh token was already used, so its sign-in was ended for safety; sign in again"
    )


def _valid_user(session: Session, claims: TokenClaims) -> User:
    user = user_repo.get(session, claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.version:
        raise AuthenticationFailed("this sign-in has ended; sign in again")
    return user


def authenticate(
    session: Session, settings: Settings, bearer: str, cache: AuthCache | None = None
) -> Principal:
    """The caller behind a bearer credential: an access token or a personal API token.
    With `cache`, an access token's answer is remembered (see easytune.core.auth_cache)."""
    if bearer.startswith(API_TOKEN_PREFIX):
        return _authenticate_api_token(session, bearer)
    claims = decode_token(settings, bearer, "access")
    generation = AuthCache.generation()  # before reading: a change meanwhile voids the put
    user = _valid_user(session, claims)
    auth_session = token_repo.get_session(session, claims.session_id)
    if auth_session is None or auth_session.revoked_at is not None:
        raise AuthenticationFailed("this sign-in has ended; sign in again")
    if cache is not None:
        cache.put(_cache_key(claims), user, generation)
    return Principal(user=user, session_id=auth_session.id)


def cached_principal(
    session: Session, settings: Settings, bearer: str, cache: AuthCache
) -> Principal | None:
    """The caller from `cache` alone, without a query; None when not cached (then call
    `authenticate`). A bad or expired token raises here as it would there."""
    if not cache.enabled or bearer.startswith(API_TOKEN_PREFIX):
        return None
    claims = decode_token(settings, bearer, "access")
    columns = cache.get(_cache_key(claims))
    if columns is None:
        return None
    return Principal(user=attach(session, columns), session_id=claims.session_id)


def _cache_key(claims: TokenClaims) -> CacheKey:
    return (claims.user_id, claims.session_id, claims.version)


def _authenticate_api_token(session: Session, bearer: str) -> Principal:
    row = token_repo.get_api_token_by_hash(session, digest(bearer))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise AuthenticationFailed("invalid, revoked or expired API token")
    user = user_repo.get(session, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("invalid, revoked or expired API token")
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        row.last_used_at = now
    return Principal(user=user, api_token_id=row.id)


def logout(session: Session, principal: Principal, origin: Origin) -> None:
    """End the caller's login session: its refresh and access tokens stop working now."""
    if principal.session_id is None:
        raise InvalidRequest(
            "signed in with a personal API token; revoke it with DELETE /api/v1/auth/tokens/{id}"
        )
    token_repo.revoke_session(session, principal.session_id, utcnow(), "logout")
    audit.record(session, "auth.logout", origin)


def end_all_sessions(session: Session, user: User, reason: str) -> None:
    """Invalidate every access and refresh token of `user` at once (disable, new password)."""
    user.token_version += 1
    token_repo.revoke_user_sessions(session, user.id, utcnow(), reason)
    session.flush()
