"""A short-lived, per-process cache of who an access token belongs to.

Authenticating an access token reads the user and the login session (two queries); this
cache remembers the answer for `ttl_seconds` so that a burst of requests with one token skips
them. It is invalidated on any change that could alter the answer: a write to `users`,
`auth_sessions` or `api_tokens` anywhere in this process (role change, deactivation, new
password, sign-out, revocation) bumps a process-wide generation, and entries read before the
bump are never served again, including ones a request was reading while the change committed.

Other processes (a second API replica, the CLI run elsewhere) cannot reach this memory: their
changes are seen here after at most `ttl_seconds` (EASYTUNE_AUTH_CACHE_SECONDS; 0 turns the
cache off). Access tokens still expire, and their signature is checked on every request.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.elements import TextClause

from easytune.db.models import ApiToken, AuthSession, User

WATCHED_TABLES = frozenset({"users", "auth_sessions", "api_tokens"})
WATCHED_MODELS = (User, AuthSession, ApiToken)
_FLAG = "easytune.auth_changed"
_WRITE = re.compile(r'\s*(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)', re.IGNORECASE)

# (user id, login session id, token version): what an access token's claims name.
CacheKey = tuple[int, str, int]


class _Generation:
    """A counter bumped on every change that may make a cached answer wrong."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.value += 1


GENERATION = _Generation()


@dataclass(frozen=True)
class _Entry:
    columns: dict[str, Any]  # the user's column values when read
    generation: int
    expires_at: float


class AuthCache:
    """Bounded LRU of access-token owners; `get` returns None after expiry or any change."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when EASYTUNE_AUTH_CACHE_SECONDS is 0."""
        return self.ttl_seconds > 0

    @staticmethod
    def generation() -> int:
        """Take this before reading the database; pass it to `put` after."""
        return GENERATION.value

    def get(self, key: CacheKey) -> dict[str, Any] | None:
        """The user's columns as last read, if still current."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.generation != GENERATION.value or entry.expires_at < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.columns

    def put(self, key: CacheKey, user: User, generation: int) -> None:
        """Remember `user` for `key`, unless anything changed since `generation` was taken."""
        if not self.enabled or generation != GENERATION.value:
            return
        entry = _Entry(_columns(user), generation, time.monotonic() + self.ttl_seconds)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def _columns(user: User) -> dict[str, Any]:
    return {attr.key: getattr(user, attr.key) for attr in User.__mapper__.column_attrs}


def attach(session: Session, columns: dict[str, Any]) -> User:
    """A User for this request's session built from cached columns, without a query. Each
    request gets its own instance, so a change made through it is flushed as usual."""
    user = User(**columns)
    make_transient_to_detached(user)
    return session.merge(user, load=False)


# -- invalidation -------------------------------------------------------------------------

_installed = False


def install_invalidation() -> None:
    """Listen for writes to the watched tables (idempotent; called by the app factory)."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Engine, "after_cursor_execute", _cursor_execute)
    event.listen(Engine, "commit", _connection_commit)


def _after_flush(session: Session, _context: Any) -> None:
    changed = (*session.dirty, *session.deleted)
    if any(isinstance(obj, WATCHED_MODELS) for obj in changed):
        _mark(session.info)


def _orm_execute(state: Any) -> None:
    statement = state.statement
    table = getattr(statement, "table", None) if state.is_update or state.is_delete else None
    if getattr(table, "name", None) in WATCHED_TABLES or _text_writes(statement):
        _mark(state.session.info)


def _text_writes(statement: Any) -> bool:
    return isinstance(statement, TextClause) and _is_watched_write(statement.text)


def _after_commit(session: Session) -> None:
    # After the commit: a request that read the old rows before it cannot store them now.
    if session.info.pop(_FLAG, False):
        GENERATION.bump()


def _cursor_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    # Writes outside the ORM (Core, text, autocommit) in this process.
    if _is_watched_write(statement):
        _mark(conn.info)


def _connection_commit(conn: Any) -> None:
    if conn.info.pop(_FLAG, False):
        GENERATION.bump()


def _is_watched_write(sql: str) -> bool:
    found = _WRITE.match(sql)
    return found is not None and found.group(1).lower() in WATCHED_TABLES


def _mark(info: dict[str, Any]) -> None:
    info[_FLAG] = True
    GENERATION.bump()  # at once, too: covers autocommit and other connections' readers
