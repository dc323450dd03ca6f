"""The API's error body, for responses the ops middlewares send themselves."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse


def error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """`{"error": {"code", "message", "param"}}` with the given status (an ASGI app itself)."""
    body = {"error": {"code": code, "message": message, "param": param}}
    return JSONResponse(body, status_code=status_code, headers=dict(headers or {}))
