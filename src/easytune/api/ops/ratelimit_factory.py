"""Which rate limiter an app gets: in memory, or Redis when a URL is set.

Apart from both backends, so that ratelimit.py (the protocol, the in-memory backend) and
ratelimit_redis.py (which builds on the protocol) need not import each other.
"""

from __future__ import annotations

from easytune.api.ops.ratelimit import InMemoryRateLimiter, RateLimit, RateLimiter
from easytune.api.ops.ratelimit_redis import RedisRateLimiter


def make_rate_limiter(
    redis_url: str | None,
    *,
    limit: int,
    window_s: float,
    key_prefix: str = "easytune:ratelimit:",
    fail_open: bool = True,
) -> RateLimiter:
    """Redis-backed limiter when `redis_url` is set (shared by all processes), else in memory."""
    rate = RateLimit(limit=limit, window_s=window_s)
    if redis_url is None:
        return InMemoryRateLimiter(rate)
    return RedisRateLimiter.from_url(redis_url, rate, key_prefix=key_prefix, fail_open=fail_open)
