"""ASGI middleware that refuses request bodies over a size limit with 413.

A declared Content-Length over the limit is refused before the app runs. A body without one
(chunked) is counted as the app reads it; past the limit the read raises, whatever the app
sent meanwhile is dropped, and the client gets the 413 instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easytune.api.ops.errors import error_response


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes the limit.

    An HTTPException so that FastAPI re-raises it instead of turning it into "400 error parsing
    the body"; the middleware answers with its own 413 in any case.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body over {limit} bytes")


class BodySizeLimitMiddleware:
    """Refuses bodies over `max_body_bytes`, or over the override of the longest matching prefix."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int | None,
        overrides: Mapping[str, int | None] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Longest prefix first, so "/api/v1/datasets" wins over "/api/v1".
        self.overrides = sorted((overrides or {}).items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int | None:
        """The byte limit for `path` (None: unlimited)."""
        for prefix, limit in self.overrides:
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        await _Guard(limit).run(self.app, scope, receive, send)


class _Guard:
    """Counts one request's body bytes and swaps the app's response for a 413 when over."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.received = 0
        self.exceeded = False
        self.app_started = False  # the app began its response before the limit was passed

    async def run(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            if self.exceeded:
                raise BodyTooLarge(self.limit)
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.exceeded = True
                    raise BodyTooLarge(self.limit)
            return message

        async def guarded_send(message: Message) -> None:
            if self.exceeded and not self.app_started:
                return  # the app's answer to the failed read; the 413 replaces it
            if message["type"] == "http.response.start":
                self.app_started = True
            await send(message)

        try:
            await app(scope, counted_receive, guarded_send)
        except Exception:
            # Whatever the app raised after the failed read (BodyTooLarge itself, or an error
            # it wrapped it in) is answered by the 413, unless its response had begun.
            if not self.exceeded or self.app_started:
                raise
        if self.exceeded and not self.app_started:
            await _refuse(scope, receive, send, self.limit)


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    scope["easytune.rejected_by"] = "body_limit"
    message = f"Request body is larger than the limit of {limit} bytes; send a smaller body."
    # Close the connection: the rest of the body was never read, so it cannot be reused.
    response = error_response(413, "request_too_large", message, headers={"Connection": "close"})
    await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the server rejects a malformed length; count the bytes regardless
