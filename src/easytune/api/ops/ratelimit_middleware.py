"""ASGI middleware that applies a `RateLimiter` per caller identity, answering 429 when over."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easytune.api.ops.errors import error_response
from easytune.api.ops.ratelimit import RateDecision, RateLimiter, retry_after_header

# request -> identity key (e.g. the user id from a *verified* bearer token), or None when
# anonymous; may be sync or async. Unverified tokens must map to None: otherwise a caller
# could mint a fresh identity per request and never be limited.
IdentityFn = Callable[[Request], "str | Awaitable[str | None] | None"]

DEFAULT_EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers to get the client's)."""
    return request.client.host if request.client else "unknown"


class RateLimitMiddleware:
    """Limits HTTP requests per identity; exempt paths and paths outside `prefixes` pass freely."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        identity: IdentityFn | None = None,
        exempt_paths: Iterable[str] = DEFAULT_EXEMPT_PATHS,
        prefixes: Iterable[str] = ("/",),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.identity = identity
        self.exempt_paths = frozenset(exempt_paths)
        self.prefixes = tuple(prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(await self._key(Request(scope)))
        if not decision.allowed:
            scope["easytune.rejected_by"] = "rate_limit"
            await _refusal(decision, self.limiter.rate.window_s)(scope, receive, send)
            return
        await self.app(scope, receive, _with_quota_headers(send, decision))

    def _applies(self, path: str) -> bool:
        return path not in self.exempt_paths and path.startswith(self.prefixes)

    async def _key(self, request: Request) -> str:
        found = self.identity(request) if self.identity else None
        if inspect.isawaitable(found):
            found = await found
        # Namespaced so that no user id can collide with an address.
        return f"id:{found}" if found else f"ip:{client_address(request)}"


def _quota_headers(decision: RateDecision) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
    }


def _refusal(decision: RateDecision, window_s: float) -> ASGIApp:
    headers = {"Retry-After": retry_after_header(decision), **_quota_headers(decision)}
    message = (
        f"Too many requests: the limit is {decision.limit} per {window_s:g} s. "
        f"Retry after {headers['Retry-After']} s."
    )
    return error_response(429, "rate_limited", message, headers=headers)


def _with_quota_headers(send: Send, decision: RateDecision) -> Send:
    extra = [(k.lower().encode(), v.encode()) for k, v in _quota_headers(decision).items()]

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_headers
