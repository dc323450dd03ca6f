"""Redis backend of the rate limiter: GCRA in one Lua script, so each hit is atomic."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from easytune.api.ops.ratelimit import RateDecision, RateLimit, decision_from_script

logger = logging.getLogger(__name__)

# Same steps as `gcra_step`, in integer microseconds. The clock is Redis's own TIME, so API
# processes on hosts with skewed clocks still share one timeline. The TAT is written with %d:
# Lua 5.1's tostring keeps only 14 digits, too few for microseconds since the epoch.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - tolerance
if now < allow_at then
  return {0, allow_at - now, tat - now}
end
local ttl_ms = math.max(1, math.ceil((new_tat - now) / 1000))
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', ttl_ms)
return {1, 0, new_tat - now}
"""


class RedisRateLimiter:
    """Buckets shared through Redis by every API process; keys expire once full again."""

    def __init__(
        self,
        url: str,
        rate: RateLimit,
        *,
        key_prefix: str = "easytune:ratelimit:",
        fail_open: bool = True,
    ) -> None:
        self.url = url
        self.rate = rate
        self.key_prefix = key_prefix
        self.fail_open = fail_open
        self._client: aioredis.Redis | None = None
        self._script: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_url(cls, url: str, rate: RateLimit, **kwargs: Any) -> RedisRateLimiter:
        """A limiter on `url` (e.g. `redis://127.0.0.1:6379/0`); connects on first use."""
        return cls(url, rate, **kwargs)

    def _script_for_this_loop(self) -> Any:
        # redis.asyncio connections belong to the event loop that opened them. A server has one
        # loop, but test clients start one per app run: give each loop its own client.
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = aioredis.Redis.from_url(self.url)
            self._script = self._client.register_script(_GCRA_LUA)
            self._loop = loop
        return self._script

    async def hit(self, key: str) -> RateDecision:
        """Count one request for `key`; on a Redis failure allow it (or refuse if not fail_open)."""
        args = [self.rate.interval_us, self.rate.tolerance_us]
        try:
            allowed, retry_us, ahead_us = await self._script_for_this_loop()(
                keys=[self.key_prefix + key], args=args
            )
        except RedisError as exc:
            return self._on_backend_error(exc)
        return decision_from_script(self.rate, int(allowed), int(retry_us), int(ahead_us))

    def _on_backend_error(self, exc: RedisError) -> RateDecision:
        # Failing open keeps the API usable while Redis is down; the log line makes it visible.
        logger.warning(
            "rate limiter backend unavailable: %s",
            exc,
            extra={"action": "rate_limit_backend_error"},
        )
        if self.fail_open:
            return RateDecision(True, self.rate.limit, self.rate.limit, 0.0, 0.0)
        return RateDecision(False, self.rate.limit, 0, 1.0, 1.0)

    async def aclose(self) -> None:
        """Close this loop's connection pool (call from the app's lifespan shutdown)."""
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = self._script = self._loop = None
