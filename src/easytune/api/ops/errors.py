"""The API's error body, written in one place: {"error": {"code", "message", "param"}}."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from easytune.errors import EasyTuneError


def render_error(exc: EasyTuneError) -> JSONResponse:
    """Any EasyTuneError as a response: its status, its headers, `{"error": exc.to_dict()}`."""
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status_code, headers=exc.headers)


def error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The same body for a status and code without an error class (middlewares, HTTP errors)."""
    body = {"error": EasyTuneError(message, param=param, code=code).to_dict()}
    return JSONResponse(body, status_code=status_code, headers=dict(headers or {}))
