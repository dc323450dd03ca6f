"""Errors under /v1 in OpenAI's shape: {"error": {"message", "type", "param", "code"}}.

Every error the app sends for a /v1 path (service errors, validation, unknown routes, the rate
limiter's 429, the body limit's 413) passes through one ASGI middleware that rewrites the
platform's error body, so no error source needs to know which API it answers for. The REST API
under /api/v1 keeps its own shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/v1"
# OpenAI answers a bad request with 400 where FastAPI says 422.
_STATUS = {422: 400}
_TYPES = {401: "invalid_request_error", 403: "permission_error", 429: "rate_limit_error"}
_CODES = {401: "invalid_api_key"}


def openai_error(status: int, error: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The status and body OpenAI's clients expect for a platform error body."""
    status = _STATUS.get(status, status)
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {
        "message": error.get("message", "error"),
        "type": kind,
        "param": error.get("param"),
        "code": _CODES.get(status, error.get("code")),
    }
    if error.get("errors"):
        body["errors"] = error["errors"]
    return status, {"error": body}


def is_openai_path(path: str) -> bool:
    """Whether `path` belongs to the OpenAI-compatible surface."""
    return path == PREFIX or path.startswith(PREFIX + "/")


@dataclass
class _Capture:
    start: Message | None = None
    passthrough: bool = False
    chunks: list[bytes] = field(default_factory=list)


class OpenAIErrorShape:
    """ASGI middleware: error responses (status >= 400) under /v1 get OpenAI's error shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_openai_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = _Capture()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.passthrough = message["status"] < 400
                if state.passthrough:
                    await send(message)
                else:
                    state.start = message
                return
            if state.passthrough or message["type"] != "http.response.body":
                await send(message)
                return
            state.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                assert state.start is not None
                await _send_rewritten(send, state.start, b"".join(state.chunks))

        await self.app(scope, receive, capture)


async def _send_rewritten(send: Send, start: Message, body: bytes) -> None:
    status, new_body = _rewrite(start["status"], body)
    replaced = {b"content-length", b"content-type"}
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in replaced]
    headers += [(b"content-length", str(len(new_body)).encode()),
                (b"content-type", b"application/json")]  # fmt: skip
    await send({**start, "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": new_body, "more_body": False})


def _rewrite(status: int, body: bytes) -> tuple[int, bytes]:
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        error = {"message": body.decode(errors="replace") or "error", "code": None}
    if not isinstance(error, dict) or "type" in error:
        return status, body
    status, shaped = openai_error(status, error)
    return status, json.dumps(shaped, ensure_ascii=False).encode()
