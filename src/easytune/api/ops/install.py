"""`install_ops`: add rate limiting, body limits, security headers, metrics and request ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from easytune.api.ops.bodylimit import BodySizeLimitMiddleware
from easytune.api.ops.metrics import HttpMetrics, MetricsMiddleware, metrics_endpoint
from easytune.api.ops.ratelimit import RateLimiter
from easytune.api.ops.ratelimit_middleware import (
    DEFAULT_EXEMPT_PATHS,
    IdentityFn,
    RateLimitMiddleware,
)
from easytune.api.ops.requestid import RequestIdMiddleware
from easytune.api.ops.security import SecurityHeadersMiddleware

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # JSON bodies; uploads get an override


@dataclass(frozen=True)
class InstalledOps:
    """What `install_ops` set up; close `rate_limiter` in the app's lifespan shutdown."""

    metrics: HttpMetrics
    rate_limiter: RateLimiter | None

    @property
    def registry(self) -> CollectorRegistry:
        """The registry `/metrics` serves; register the app's own collectors on it."""
        return self.metrics.registry


def install_ops(
    app: Starlette,
    *,
    rate_limiter: RateLimiter | None,
    identity: IdentityFn | None = None,
    max_body_bytes: int | None = DEFAULT_MAX_BODY_BYTES,
    body_limit_overrides: Mapping[str, int | None] | None = None,
    metrics_registry: CollectorRegistry | None = None,
    rate_limit_exempt_paths: Iterable[str] = DEFAULT_EXEMPT_PATHS,
    metrics_path: str | None = "/metrics",
    metrics_token: str | None = None,
) -> InstalledOps:
    """Add the ops middlewares to `app` (call before it starts) and the metrics route.

    Outermost first: request id and access log, metrics, security headers, rate limit, body
    limit. So refusals (429, 413) still carry a request id, are counted, logged and get the
    security headers, and a rate-limited client is refused before its body is read.
    """
    metrics = HttpMetrics(metrics_registry if metrics_registry is not None else CollectorRegistry())
    # add_middleware puts each new one outside the previous ones: innermost first.
    app.add_middleware(
        BodySizeLimitMiddleware, max_body_bytes=max_body_bytes, overrides=body_limit_overrides
    )
    if rate_limiter is not None:
        app.add_middleware(
            RateLimitMiddleware,
            limiter=rate_limiter,
            identity=identity,
            exempt_paths=rate_limit_exempt_paths,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)
    if metrics_path is not None:
        endpoint = metrics_endpoint(metrics.registry, metrics_token)
        app.add_route(metrics_path, endpoint, include_in_schema=False)
    return InstalledOps(metrics=metrics, rate_limiter=rate_limiter)
