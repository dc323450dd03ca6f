"""MetricsMiddleware and the /metrics endpoint: route templates, statuses, in-flight, registries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles

from easytune.api.ops import HttpMetrics, MetricsMiddleware, metrics_endpoint

pytestmark = pytest.mark.anyio

ClientFor = Callable[..., httpx.AsyncClient]


def build_app(registry: CollectorRegistry, gate: asyncio.Event | None = None) -> FastAPI:
    app = FastAPI()
    users = APIRouter(prefix="/users")

    @users.get("/{user_id}")
    async def get_user(user_id: int) -> dict[str, int]:
        return {"id": user_id}

    @users.get("/{user_id}/slow")
    async def slow(user_id: int) -> dict[str, int]:
        if gate is not None:
            await gate.wait()
        return {"id": user_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    sub = FastAPI()

    @sub.get("/items/{item_id}")
    async def item(item_id: str) -> PlainTextResponse:
        return PlainTextResponse(item_id)

    app.include_router(users, prefix="/api/v1")
    app.mount("/sub", sub)
    app.add_route("/metrics", metrics_endpoint(registry), include_in_schema=False)
    app.add_middleware(MetricsMiddleware, metrics=HttpMetrics(registry))
    return app


def samples(registry: CollectorRegistry, name: str) -> dict[tuple[str, ...], float]:
    """label values (method, route, status) -> value, for one metric sample name."""
    return {
        tuple(s.labels.values()): s.value
        for family in registry.collect()
        for s in family.samples
        if s.name == name
    }


async def test_labels_use_route_templates_never_raw_paths(client_for: ClientFor) -> None:
    registry = CollectorRegistry()
    async with client_for(build_app(registry)) as client:
        for user_id in (1, 2, 3):
            await client.get(f"/api/v1/users/{user_id}")
        await client.get("/api/v1/users/not-a-number")
        await client.post("/api/v1/users/1")
        await client.get("/nothing/here/42")
        await client.get("/sub/items/abc")
    counts = samples(registry, "easytune_http_requests_total")
    assert counts == {
        ("GET", "/api/v1/users/{user_id}", "200"): 3,
        ("GET", "/api/v1/users/{user_id}", "422"): 1,
        ("POST", "/api/v1/users/{user_id}", "405"): 1,
        ("GET", "unmatched", "404"): 1,
        ("GET", "/sub/items/{item_id}", "200"): 1,
    }
    latency = samples(registry, "easytune_http_request_duration_seconds_count")
    assert latency[("GET", "/api/v1/users/{user_id}", "200")] == 3


async def test_raising_endpoint_counts_as_500(client_for: ClientFor) -> None:
    registry = CollectorRegistry()
    transport = httpx.ASGITransport(app=build_app(registry), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert samples(registry, "easytune_http_requests_total") == {("GET", "/boom", "500"): 1}


async def test_unknown_methods_are_bucketed(client_for: ClientFor) -> None:
    registry = CollectorRegistry()
    async with client_for(build_app(registry)) as client:
        await client.request("BREW", "/api/v1/users/1")
    assert list(samples(registry, "easytune_http_requests_total")) == [
        ("OTHER", "/api/v1/users/{user_id}", "405")
    ]


async def test_in_flight_gauge_counts_open_requests(client_for: ClientFor) -> None:
    registry, gate = CollectorRegistry(), asyncio.Event()
    gauge = "easytune_http_requests_in_flight"
    async with client_for(build_app(registry, gate)) as client:
        pending = [asyncio.create_task(client.get(f"/api/v1/users/{i}/slow")) for i in range(3)]
        for _ in range(100):
            await asyncio.sleep(0.005)
            if registry.get_sample_value(gauge) == 3:
                break
        assert registry.get_sample_value(gauge) == 3
        gate.set()
        await asyncio.gather(*pending)
    assert registry.get_sample_value(gauge) == 0


async def test_metrics_endpoint_serves_the_app_registry(client_for: ClientFor) -> None:
    registry = CollectorRegistry()
    async with client_for(build_app(registry)) as client:
        await client.get("/api/v1/users/7")
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    assert {"easytune_http_requests", "easytune_http_request_duration_seconds"} <= set(families)
    routes = {s.labels["route"] for s in families["easytune_http_requests"].samples}
    assert routes == {"/api/v1/users/{user_id}"}
    # A plain Starlette route (add_route) is labelled by its own path too.
    assert ("GET", "/metrics", "200") in samples(registry, "easytune_http_requests_total")
    assert "python_gc_objects_collected_total" not in response.text  # not the global registry


async def test_two_apps_keep_separate_counts(client_for: ClientFor) -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    async with client_for(build_app(first)) as a, client_for(build_app(second)) as b:
        await a.get("/api/v1/users/1")
        await a.get("/api/v1/users/1")
        await b.get("/api/v1/users/1")
    key = ("GET", "/api/v1/users/{user_id}", "200")
    assert samples(first, "easytune_http_requests_total")[key] == 2
    assert samples(second, "easytune_http_requests_total")[key] == 1


async def test_static_mount_is_one_template(client_for: ClientFor, tmp_path: object) -> None:
    registry = CollectorRegistry()
    app = FastAPI()
    app.mount("/assets", StaticFiles(directory=str(tmp_path)))
    app.mount("/", StaticFiles(directory=str(tmp_path)))  # the SPA
    app.add_middleware(MetricsMiddleware, metrics=HttpMetrics(registry))
    async with client_for(app) as client:
        await client.get("/assets/a.js")
        await client.get("/assets/b/c.css")
        await client.get("/jobs/12")
    assert samples(registry, "easytune_http_requests_total") == {
        ("GET", "/assets/{path}", "404"): 2,
        ("GET", "/{path}", "404"): 1,
    }
