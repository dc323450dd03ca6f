"""RateLimitMiddleware over real HTTP requests to small FastAPI apps."""
# mypy: disable-error-code="arg-type"
# Middleware options forwarded as **kwargs.

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI, Request

from easytune.api.ops import IdentityFn, RateLimiter, RateLimitMiddleware, make_rate_limiter

pytestmark = pytest.mark.anyio

ClientFor = Callable[..., httpx.AsyncClient]


def build_app(
    limiter: RateLimiter, identity: IdentityFn | None = None, **kwargs: object
) -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/things")
    async def things() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/public/page")
    async def page() -> dict[str, str]:
        return {"page": "1"}

    app.add_middleware(RateLimitMiddleware, limiter=limiter, identity=identity, **kwargs)
    return app


def bearer_user(request: Request) -> str | None:
    """Stands in for the app's token check: only 'Bearer valid-<user>' is a verified user."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    return token.removeprefix("valid-") if token.startswith("valid-") else None


async def test_refusal_is_429_with_retry_after_and_error_body(client_for: ClientFor) -> None:
    app = build_app(make_rate_limiter(None, limit=2, window_s=60))
    async with client_for(app) as client:
        first = await client.get("/api/v1/things")
        await client.get("/api/v1/things")
        refused = await client.get("/api/v1/things")
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit"] == "2"
    assert first.headers["x-ratelimit-remaining"] == "1"
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "30"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["param"] is None
    assert "2 per 60 s" in error["message"]
    assert set(refused.json()) == {"error"}


async def test_exempt_paths_and_other_prefixes_are_not_limited(client_for: ClientFor) -> None:
    limiter = make_rate_limiter(None, limit=1, window_s=60)
    app = build_app(limiter, prefixes=("/api/",))
    async with client_for(app) as client:
        health = [await client.get("/healthz") for _ in range(5)]
        pages = [await client.get("/public/page") for _ in range(5)]
        api = [await client.get("/api/v1/things") for _ in range(2)]
    assert {r.status_code for r in health + pages} == {200}
    assert "x-ratelimit-limit" not in health[0].headers
    assert [r.status_code for r in api] == [200, 429]


async def test_each_user_has_own_bucket_and_anonymous_share_the_address(
    client_for: ClientFor,
) -> None:
    app = build_app(make_rate_limiter(None, limit=1, window_s=60), identity=bearer_user)
    async with client_for(app) as client:

        async def get(token: str | None) -> int:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return (await client.get("/api/v1/things", headers=headers)).status_code

        assert [await get("valid-alice"), await get("valid-alice")] == [200, 429]
        assert await get("valid-bob") == 200
        # Anonymous and unverified callers fall back to the client address: one bucket.
        assert [await get(None), await get("forged-token"), await get("forged-2")] == [
            200,
            429,
            429,
        ]


async def test_async_identity_function(client_for: ClientFor) -> None:
    async def identity(request: Request) -> str | None:
        await asyncio.sleep(0)
        return request.headers.get("x-user")

    app = build_app(make_rate_limiter(None, limit=1, window_s=60), identity=identity)
    async with client_for(app) as client:
        codes = [
            (await client.get("/api/v1/things", headers={"x-user": user})).status_code
            for user in ("a", "b", "a")
        ]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_fifty_concurrent_requests_exactly_limit_pass(
    backend: str, client_for: ClientFor, request: pytest.FixtureRequest
) -> None:
    if backend == "redis":
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
        limiter = make_rate_limiter(url, limit=10, window_s=60, key_prefix=prefix)
    else:
        limiter = make_rate_limiter(None, limit=10, window_s=60)
    app = build_app(limiter, identity=bearer_user)
    headers = {"Authorization": "Bearer valid-carol"}
    async with client_for(app) as client:
        responses = await asyncio.gather(
            *(client.get("/api/v1/things", headers=headers) for _ in range(50))
        )
    await limiter.aclose()
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 10
    assert codes.count(429) == 40
