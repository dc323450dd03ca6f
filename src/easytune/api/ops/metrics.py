"""Prometheus HTTP metrics on a per-app registry, and the `/metrics` endpoint serving them.

Labels are bounded: the route TEMPLATE (never the raw path), a known HTTP method or `OTHER`,
and the status code.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easytune.api.ops.errors import error_response
from easytune.api.ops.routes import route_template

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; API calls are mostly fast, uploads and generation can take tens of seconds.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class HttpMetrics:
    """The HTTP collectors, registered on one `CollectorRegistry`."""

    def __init__(self, registry: CollectorRegistry, namespace: str = "easytune") -> None:
        self.registry = registry
        labels = ("method", "route", "status")
        self.requests = Counter(
            "http_requests", "HTTP requests answered.", labels,
            namespace=namespace, registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            "http_request_duration_seconds", "Time from request to the end of the response.",
            labels, namespace=namespace, registry=registry, buckets=_BUCKETS,
        )  # fmt: skip
        self.in_flight = Gauge(
            "http_requests_in_flight", "HTTP requests being answered now (streams included).",
            namespace=namespace, registry=registry,
        )  # fmt: skip

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        method = method if method in _METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route, str(status)).observe(seconds)


class MetricsMiddleware:
    """Counts and times every HTTP request; a request that raised counts as status 500."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry_root = str(scope.get("root_path", ""))
        status = 500
        started = time.perf_counter()

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - started
            route = route_template(scope, entry_root)
            self.metrics.observe(scope["method"], route, status, elapsed)


def metrics_endpoint(
    registry: CollectorRegistry, token: str | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint serving `registry` in the Prometheus text format; with `token`,
    only to `Authorization: Bearer <token>` (401 otherwise)."""
    expected = f"Bearer {token}".encode() if token else None

    async def metrics(request: Request) -> Response:
        sent = request.headers.get("authorization", "").encode()
        if expected is not None and not hmac.compare_digest(sent, expected):
            message = "/metrics needs Authorization: Bearer <EASYTUNE_METRICS_TOKEN>"
            headers = {"WWW-Authenticate": "Bearer"}
            return error_response(401, "unauthorized", message, headers=headers)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
