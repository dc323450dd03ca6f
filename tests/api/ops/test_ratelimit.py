"""Rate limiter backends: the same contract for memory and Redis, plus each one's specifics."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable

import pytest
import redis

from easytune.api.ops import InMemoryRateLimiter, RateLimit, RateLimiter, make_rate_limiter
from easytune.api.ops.ratelimit_redis import RedisRateLimiter

pytestmark = pytest.mark.anyio

Factory = Callable[[int, float], RateLimiter]


@pytest.fixture(params=["memory", "redis"])
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[Factory]:
    """Builds limiters of one backend; Redis ones get this test's own key prefix."""
    made: list[RateLimiter] = []

    def factory(limit: int, window_s: float) -> RateLimiter:
        if request.param == "memory":
            limiter = make_rate_limiter(None, limit=limit, window_s=window_s)
        else:
            url = request.getfixturevalue("redis_url")
            prefix = request.getfixturevalue("redis_prefix")
            limiter = make_rate_limiter(url, limit=limit, window_s=window_s, key_prefix=prefix)
        made.append(limiter)
        return limiter

    yield factory
    for limiter in made:
        await limiter.aclose()


async def test_burst_of_limit_then_refused(make_limiter: Factory) -> None:
    limiter = make_limiter(3, 60)
    decisions = [await limiter.hit("alice") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    refused = decisions[-1]
    # One request 'costs' 20 s: the next one may come about 20 s later.
    assert 19 < refused.retry_after_s <= 20
    assert refused.limit == 3


async def test_keys_are_independent(make_limiter: Factory) -> None:
    limiter = make_limiter(1, 60)
    assert (await limiter.hit("alice")).allowed
    assert not (await limiter.hit("alice")).allowed
    assert (await limiter.hit("bob")).allowed


async def test_refills_after_one_interval(make_limiter: Factory) -> None:
    limiter = make_limiter(2, 0.2)  # one request back every 0.1 s
    assert all([(await limiter.hit("k")).allowed for _ in range(2)])
    refused = await limiter.hit("k")
    assert not refused.allowed
    await asyncio.sleep(refused.retry_after_s + 0.02)
    assert (await limiter.hit("k")).allowed
    assert not (await limiter.hit("k")).allowed


async def test_fifty_concurrent_hits_allow_exactly_limit(make_limiter: Factory) -> None:
    limiter = make_limiter(7, 60)
    decisions = await asyncio.gather(*(limiter.hit("crowd") for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 7


def test_in_memory_is_thread_safe() -> None:
    limiter = InMemoryRateLimiter(RateLimit(limit=10, window_s=60))
    allowed: list[bool] = []
    barrier = threading.Barrier(50)

    def worker() -> None:
        barrier.wait()
        for _ in range(4):
            allowed.append(asyncio.run(limiter.hit("shared")).allowed)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 200
    assert sum(allowed) == 10


async def test_in_memory_with_a_clock_refills_exactly() -> None:
    now = [1000.0]
    limiter = InMemoryRateLimiter(RateLimit(limit=4, window_s=8), clock=lambda: now[0])
    assert all([(await limiter.hit("k")).allowed for _ in range(4)])
    refused = await limiter.hit("k")
    assert (refused.allowed, refused.retry_after_s, refused.reset_after_s) == (False, 2.0, 8.0)
    now[0] += 1.999
    assert not (await limiter.hit("k")).allowed
    now[0] += 0.001
    assert (await limiter.hit("k")).allowed
    now[0] += 100  # long idle: the bucket is full again, not fuller
    assert [(await limiter.hit("k")).allowed for _ in range(5)] == [True] * 4 + [False]


async def test_in_memory_forgets_full_buckets() -> None:
    now = [0.0]
    limiter = InMemoryRateLimiter(RateLimit(limit=1, window_s=1), clock=lambda: now[0])
    limiter.sweep_at = 3
    await limiter.hit("a")
    await limiter.hit("b")
    now[0] = 5.0
    await limiter.hit("c")  # third key triggers the sweep; a and b are full again
    assert set(limiter._tats) == {"c"}


def test_rate_limit_reports_every_problem_at_once() -> None:
    with pytest.raises(ValueError) as err:
        RateLimit(limit=0, window_s=-1)
    assert "limit: got 0" in str(err.value)
    assert "window_s: got -1" in str(err.value)
    with pytest.raises(ValueError, match="per microsecond"):
        RateLimit(limit=10, window_s=0.000001)
    with pytest.raises(ValueError, match="limit: got True"):
        RateLimit(limit=True, window_s=1)


def test_factory_picks_backend_from_url(redis_url: str) -> None:
    assert isinstance(make_rate_limiter(None, limit=1, window_s=1), InMemoryRateLimiter)
    assert isinstance(make_rate_limiter(redis_url, limit=1, window_s=1), RedisRateLimiter)


async def test_redis_key_expires_when_bucket_is_full(redis_url: str, redis_prefix: str) -> None:
    limiter = make_rate_limiter(redis_url, limit=5, window_s=10, key_prefix=redis_prefix)
    await limiter.hit("alice")
    await limiter.aclose()
    ttl_ms = redis.Redis.from_url(redis_url).pttl(redis_prefix + "alice")
    # One hit put the bucket 2 s (one interval) ahead of now: it is full again then.
    assert 1900 <= ttl_ms <= 2000


async def test_redis_down_fails_open_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    rate = RateLimit(limit=1, window_s=60)
    # Port 1 on localhost: nothing listens, so the connection is refused for real.
    url = "redis://127.0.0.1:1/0"
    open_limiter = RedisRateLimiter.from_url(url, rate)
    closed_limiter = RedisRateLimiter.from_url(url, rate, fail_open=False)
    with caplog.at_level(logging.WARNING):
        assert all([(await open_limiter.hit("k")).allowed for _ in range(3)])
        refused = await closed_limiter.hit("k")
    assert not refused.allowed and refused.retry_after_s > 0
    actions = [getattr(r, "action", None) for r in caplog.records]
    assert actions.count("rate_limit_backend_error") == 4
    await open_limiter.aclose()
    await closed_limiter.aclose()


def test_redis_limiter_works_across_event_loops(redis_url: str, redis_prefix: str) -> None:
    """TestClient-style use: each run has its own loop; the limiter must follow, not crash."""
    limiter = make_rate_limiter(redis_url, limit=3, window_s=60, key_prefix=redis_prefix)
    first = asyncio.run(limiter.hit("k"))
    second = asyncio.run(limiter.hit("k"))

    async def third_and_close() -> bool:
        allowed = (await limiter.hit("k")).allowed
        await limiter.aclose()
        return allowed

    assert (first.remaining, second.remaining) == (2, 1)
    assert asyncio.run(third_and_close())
    assert not asyncio.run(limiter.hit("k")).allowed
