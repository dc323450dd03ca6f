"""Login throttling per account and per client address.

Each failure past a free allowance doubles the wait (1 s, 2 s, 4 s, ...). The per-account
wait is capped low (60 s by default), so an attacker who knows a victim's username can delay
but never lock them out for long; the per-address cap is higher, slowing one source much more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from easytune.core.errors import TooManyAttempts
from easytune.db.base import utcnow
from easytune.db.models import LoginThrottle
from easytune.db.repositories import audit as repo
from easytune.settings import Settings


@dataclass(frozen=True)
class Limit:
    """Free failures before waits start, and the longest wait."""

    free_failures: int
    max_delay_seconds: int


def _keys(username: str, client: str | None) -> list[str]:
    return [f"account:{username}"] + ([f"client:{client}"] if client else [])


def _limit(settings: Settings, key: str) -> Limit:
    if key.startswith("account:"):
        return Limit(settings.login_account_free_failures, settings.login_account_max_delay_seconds)
    return Limit(settings.login_client_free_failures, settings.login_client_max_delay_seconds)


def reserve(session: Session, settings: Settings, username: str, client: str | None) -> None:
    """Check and count one attempt atomically, in a transaction of its own committed at once.

    The attempt counts as a failure before the password is even checked, so parallel guesses
    see each other: the 13th of 12 parallel wrong passwords waits. A success gives it back.
    Raises TooManyAttempts (429 with Retry-After) while either key is waiting.
    """
    with Session(bind=session.get_bind()) as own, own.begin():
        rows = repo.throttles_for_update(own, _keys(username, client))
        _refuse_if_waiting(list(rows.values()))
        now, window = utcnow(), timedelta(seconds=settings.login_window_seconds)
        for key, row in rows.items():
            _count(row, _limit(settings, key), now, window)


def _refuse_if_waiting(rows: list[LoginThrottle]) -> None:
    now = utcnow()
    waits = [
        (row.blocked_until - now).total_seconds()
        for row in rows
        if row.blocked_until is not None and row.blocked_until > now
    ]
    if waits:
        seconds = max(1, math.ceil(max(waits)))
        raise TooManyAttempts(
            f"too many failed sign-ins; wait {seconds} seconds before trying again",
            retry_after=seconds,
        )


def _count(row: LoginThrottle, limit: Limit, now: datetime, window: timedelta) -> None:
    if now - row.window_started_at > window:
        row.failures, row.window_started_at, row.blocked_until = 0, now, None
    row.failures += 1
    over = row.failures - limit.free_failures
    if over > 0:
        delay = min(2 ** (over - 1), limit.max_delay_seconds)
        row.blocked_until = now + timedelta(seconds=delay)


def record_success(session: Session, settings: Settings, username: str, client: str | None) -> None:
    """A correct password clears the account's counter and gives back the address's count."""
    repo.clear_throttle(session, f"account:{username}")
    if client is None:
        return
    for row in repo.throttles_for_update(session, [f"client:{client}"]).values():
        row.failures = max(0, row.failures - 1)
        if row.failures <= settings.login_client_free_failures:
            row.blocked_until = None
    session.flush()
