"""Render every error as {"error": {"code", "message", "param"}}, validation errors included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from easytune.api.ops.errors import error_response, render_error
from easytune.core.errors import EasyTuneError, Overloaded, ProblemList

_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}

# Pydantic error type -> message template saying what to do; {p} is the field path.
_FIXES: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "missing": lambda p, c: f"{p} is required; add it",
    "extra_forbidden": lambda p, c: f"{p} is not a known field; remove it",
    "string_type": lambda p, c: f"{p} must be a string",
    "string_too_short": lambda p, c: f"{p} must have at least {c['min_length']} characters",
    "string_too_long": lambda p, c: f"{p} must have at most {c['max_length']} characters",
    "int_parsing": lambda p, c: f"{p} must be a whole number",
    "int_type": lambda p, c: f"{p} must be a whole number",
    "bool_parsing": lambda p, c: f"{p} must be true or false",
    "bool_type": lambda p, c: f"{p} must be true or false",
    "greater_than_equal": lambda p, c: f"{p} must be {c['ge']} or more",
    "greater_than": lambda p, c: f"{p} must be more than {c['gt']}",
    "less_than_equal": lambda p, c: f"{p} must be {c['le']} or less",
    "enum": lambda p, c: f"{p} must be one of {c['expected']}",
    "literal_error": lambda p, c: f"{p} must be one of {c['expected']}",
    "model_attributes_type": lambda p, c: "the request body must be a JSON object",
    "dict_type": lambda p, c: f"{p} must be a JSON object",
    "json_invalid": lambda p, c: f"the request body is not valid JSON ({c.get('error')}); fix it",
}


def _param(loc: tuple[Any, ...]) -> str | None:
    parts = list(loc[1:] if loc and loc[0] in _LOCATIONS else loc)
    return ".".join(str(part) for part in parts) or None


def _fix(error: dict[str, Any]) -> str:
    param = _param(tuple(error["loc"])) or "the request body"
    template = _FIXES.get(error["type"])
    try:
        return template(param, error.get("ctx") or {}) if template else f"{param}: {error['msg']}"
    except KeyError:
        return f"{param}: {error['msg']}"


def validation_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """One error naming the first field, a message listing every problem, and each one apart."""
    problems = [{"param": _param(tuple(e["loc"])), "message": _fix(e)} for e in errors]
    message = "; ".join(_fix(e) for e in errors) or "invalid request"
    first = problems[0]["param"] if problems else None
    return {"error": ProblemList(message, problems, param=first).to_dict()}


async def _easytune_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EasyTuneError)
    return render_error(exc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(validation_body(list(exc.errors())), 422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _pool_timeout(_request: Request, _exc: Exception) -> JSONResponse:
    # Every connection was busy for db_pool_timeout_seconds: a retryable 503, not a 500.
    message = "the server is busy (no database connection free); retry shortly"
    return render_error(Overloaded(message, retry_after=2))


async def _unexpected_error(_request: Request, _exc: Exception) -> JSONResponse:
    # The traceback goes to the server log (uvicorn); the client gets no internals.
    message = "unexpected server error; it was logged, please report it"
    return error_response(500, "internal_error", message)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; every error response then has the same shape."""
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_exception_handler(EasyTuneError, _easytune_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(PoolTimeout, _pool_timeout)
