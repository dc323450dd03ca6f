"""Per-identity rate limiting with GCRA (a token bucket stored as one timestamp per key).

`limit` requests per `window_s` seconds, with bursts of up to `limit` requests: a fresh key may
send `limit` requests at once, then one more every `window_s / limit` seconds. Backends: in
memory (one process) and Redis (shared by every API process); see ratelimit_factory.py.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Microseconds: the Redis script works in integers of this unit, so both backends round alike.
_US = 1_000_000


@dataclass(frozen=True)
class RateLimit:
    """`limit` requests per `window_s` seconds for one identity."""

    limit: int
    window_s: float

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            problems.append(f"limit: got {self.limit!r}; use a whole number of requests >= 1")
        if not self.window_s > 0:
            problems.append(f"window_s: got {self.window_s!r}; use a number of seconds > 0")
        elif self.interval_us < 1:
            problems.append(
                "limit/window_s: more than one request per microsecond; widen the window"
            )
        if problems:
            raise ValueError("invalid rate limit: " + "; ".join(problems))

    @property
    def interval_us(self) -> int:
        """Time one request 'costs', rounded down so that `limit` fit into one window."""
        return int(self.window_s * _US) // self.limit

    @property
    def tolerance_us(self) -> int:
        """How far ahead of now a key's bucket may run: the burst of `limit` requests."""
        return self.interval_us * self.limit


@dataclass(frozen=True)
class RateDecision:
    """Outcome of one request against a key's bucket."""

    allowed: bool
    limit: int
    remaining: int
    retry_after_s: float  # 0 when allowed
    reset_after_s: float  # until the bucket is full again


@runtime_checkable
class RateLimiter(Protocol):
    """Counts one request for `key` and says whether it may go on."""

    rate: RateLimit

    async def hit(self, key: str) -> RateDecision: ...

    async def aclose(self) -> None: ...


def gcra_step(rate: RateLimit, now_us: int, tat_us: int | None) -> tuple[RateDecision, int]:
    """One GCRA step: the decision and the key's new theoretical arrival time (TAT).

    Mirrored line by line by the Redis Lua script, so both backends decide alike.
    """
    tat = max(tat_us if tat_us is not None else now_us, now_us)
    new_tat = tat + rate.interval_us
    allow_at = new_tat - rate.tolerance_us
    if now_us < allow_at:
        return _decision(rate, False, allow_at - now_us, tat - now_us), tat
    return _decision(rate, True, 0, new_tat - now_us), new_tat


def _decision(rate: RateLimit, allowed: bool, retry_us: int, ahead_us: int) -> RateDecision:
    """Build a decision from how far the bucket runs ahead of now (`ahead_us`)."""
    remaining = max(0, (rate.tolerance_us - ahead_us) // rate.interval_us)
    return RateDecision(allowed, rate.limit, remaining, retry_us / _US, max(0, ahead_us) / _US)


def decision_from_script(
    rate: RateLimit, allowed: int, retry_us: int, ahead_us: int
) -> RateDecision:
    """Turn the Redis script's three integers into a decision."""
    return _decision(rate, bool(allowed), retry_us, ahead_us)


class InMemoryRateLimiter:
    """One process's buckets in a dict; safe across threads and tasks (short critical section)."""

    # Sweep expired buckets once this many keys exist, so memory stays bounded by active users.
    sweep_at = 10_000

    def __init__(self, rate: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._tats: dict[str, int] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str) -> RateDecision:
        """Count one request for `key`."""
        now_us = int(self._clock() * _US)
        with self._lock:
            decision, tat = gcra_step(self.rate, now_us, self._tats.get(key))
            self._tats[key] = tat
            if len(self._tats) >= self.sweep_at:
                self._sweep(now_us)
        return decision

    def _sweep(self, now_us: int) -> None:
        # A bucket whose TAT lies in the past is full: forgetting it changes no decision.
        for key in [k for k, tat in self._tats.items() if tat <= now_us]:
            del self._tats[key]

    async def aclose(self) -> None:
        """Nothing to release; here for the protocol."""


def retry_after_header(decision: RateDecision) -> str:
    """Whole seconds for `Retry-After`, rounded up and at least 1."""
    return str(max(1, math.ceil(decision.retry_after_s)))
