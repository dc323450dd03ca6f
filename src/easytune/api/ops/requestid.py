"""Request ids in logs and responses, and one access log line per request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easytune.api.ops.routes import route_template
from easytune.logs import log_context

access_logger = logging.getLogger("easytune.access")

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from clients or proxies are kept only if short and plain: they end up in log lines and
# response headers, so no spaces, quotes or control characters.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=@/-]{0,127}")


def accept_request_id(value: str | None) -> str:
    """`value` when it is a sane id, else a new random one."""
    if value is not None and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each HTTP request an id (log context, `request.state.request_id`, response header)."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = request_id
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())
        status = 500
        entry_root = str(scope.get("root_path", ""))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        with log_context(request_id=request_id):
            started = time.perf_counter()
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if self.access_log:
                    _log_access(scope, route_template(scope, entry_root), status, started)


def _log_access(scope: Scope, route: str, status: int, started: float) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    method, path = scope["method"], scope["path"]
    client = scope.get("client")
    fields = {
        "action": "http_request",
        "method": method,
        "route": route,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
        "client": client[0] if client else None,
    }
    # request_id, user_id and other bound fields come from the log context (ContextFilter).
    level = logging.ERROR if status >= 500 else logging.INFO
    access_logger.log(level, "%s %s %s %.1fms", method, path, status, duration_ms, extra=fields)
