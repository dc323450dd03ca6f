"""Operational layer of the API: rate limits, body limits, security headers, metrics, request ids.

The app factory calls `install_ops(app, ...)` once; see docs/operations.md.
"""

from easytune.api.ops.bodylimit import BodySizeLimitMiddleware, BodyTooLarge
from easytune.api.ops.errors import error_response
from easytune.api.ops.install import DEFAULT_MAX_BODY_BYTES, InstalledOps, install_ops
from easytune.api.ops.metrics import HttpMetrics, MetricsMiddleware, metrics_endpoint
from easytune.api.ops.ratelimit import (
    InMemoryRateLimiter,
    RateDecision,
    RateLimit,
    RateLimiter,
)
from easytune.api.ops.ratelimit_factory import make_rate_limiter
from easytune.api.ops.ratelimit_middleware import (
    DEFAULT_EXEMPT_PATHS,
    IdentityFn,
    RateLimitMiddleware,
    client_address,
)
from easytune.api.ops.requestid import REQUEST_ID_HEADER, RequestIdMiddleware, accept_request_id
from easytune.api.ops.security import DOCS_CSP, SPA_CSP, SecurityHeadersMiddleware

__all__ = [
    "DEFAULT_EXEMPT_PATHS",
    "DEFAULT_MAX_BODY_BYTES",
    "DOCS_CSP",
    "REQUEST_ID_HEADER",
    "SPA_CSP",
    "BodySizeLimitMiddleware",
    "BodyTooLarge",
    "HttpMetrics",
    "IdentityFn",
    "InMemoryRateLimiter",
    "InstalledOps",
    "MetricsMiddleware",
    "RateDecision",
    "RateLimit",
    "RateLimitMiddleware",
    "RateLimiter",
    "RequestIdMiddleware",
    "SecurityHeadersMiddleware",
    "accept_request_id",
    "client_address",
    "error_response",
    "install_ops",
    "make_rate_limiter",
    "metrics_endpoint",
]
