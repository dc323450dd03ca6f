"""install_ops on a small app factory: every layer present, in the right order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry

from easytune.api.ops import InstalledOps, install_ops, make_rate_limiter

pytestmark = pytest.mark.anyio

ClientFor = Callable[..., httpx.AsyncClient]
Lines = Callable[[], list[dict[str, Any]]]


def create_app(
    redis_url: str | None = None, key_prefix: str = "t:"
) -> tuple[FastAPI, InstalledOps]:
    """Shaped like the real factory: build the app, add routes, then install_ops."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/jobs/{job_id}/notes")
    async def add_note(job_id: int, request: Request) -> dict[str, int]:
        return {"job_id": job_id, "size": len(await request.body())}

    limiter = make_rate_limiter(redis_url, limit=3, window_s=60, key_prefix=key_prefix)
    ops = install_ops(
        app,
        rate_limiter=limiter,
        identity=lambda request: request.headers.get("x-user"),
        max_body_bytes=64,
        body_limit_overrides={"/api/v1/datasets": 10_000},
        metrics_registry=CollectorRegistry(),
    )
    return app, ops


def count(ops: InstalledOps, route: str, status: str) -> float | None:
    labels = {"method": "POST", "route": route, "status": status}
    return ops.registry.get_sample_value("easytune_http_requests_total", labels)


async def test_refusals_carry_request_id_headers_metrics_and_logs(
    client_for: ClientFor, json_log: Lines
) -> None:
    app, ops = create_app()
    headers = {"x-user": "u1", "X-Request-ID": "trace-1"}
    async with client_for(app) as client:
        too_big = await client.post("/api/v1/jobs/1/notes", content=b"x" * 65, headers=headers)
        ok = [await client.post("/api/v1/jobs/1/notes", content=b"hi", headers=headers)]
        ok.append(await client.post("/api/v1/jobs/2/notes", content=b"hi", headers=headers))
        limited = await client.post("/api/v1/jobs/3/notes", content=b"hi", headers=headers)
        health = [await client.get("/healthz") for _ in range(5)]
        metrics = [await client.get("/metrics") for _ in range(5)]
    assert too_big.status_code == 413
    assert [r.status_code for r in ok] == [200, 200]
    assert limited.status_code == 429 and limited.headers["retry-after"] == "20"
    for response in (too_big, limited, ok[0], health[0], metrics[0]):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" in response.headers
        assert "x-request-id" in response.headers
    assert limited.headers["x-request-id"] == "trace-1"
    assert {r.status_code for r in health + metrics} == {200}  # exempt from the limit

    assert count(ops, "/api/v1/jobs/{job_id}/notes", "200") == 2
    assert count(ops, "rejected", "429") == 1
    assert count(ops, "rejected", "413") == 1
    assert "easytune_http_requests_total" in metrics[-1].text

    access = [line for line in json_log() if line.get("action") == "http_request"]
    assert [line["status"] for line in access[:4]] == [413, 200, 200, 429]
    assert all(line["request_id"] == "trace-1" for line in access[:4])


async def test_shared_redis_limiter_counts_across_two_app_instances(
    client_for: ClientFor, redis_url: str, redis_prefix: str
) -> None:
    """Two API processes (here: two app instances) share one budget per user through Redis."""
    first, ops_first = create_app(redis_url, redis_prefix)
    second, ops_second = create_app(redis_url, redis_prefix)
    headers = {"x-user": "shared"}
    async with client_for(first) as a, client_for(second) as b:
        codes = [
            (await client.post("/api/v1/jobs/1/notes", content=b"", headers=headers)).status_code
            for client in (a, b, a, b)
        ]
    for ops in (ops_first, ops_second):
        assert ops.rate_limiter is not None
        await ops.rate_limiter.aclose()
    assert codes == [200, 200, 200, 429]
