"""easytune.logs (JSON lines, context fields) and RequestIdMiddleware (ids, access lines)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Request

from easytune.api.ops import RequestIdMiddleware, accept_request_id
from easytune.logs import bind_log_fields, configure_logging, current_log_fields, log_context

ClientFor = Callable[..., httpx.AsyncClient]
Lines = Callable[[], list[dict[str, Any]]]

log = logging.getLogger("easytune.test")


def test_json_lines_carry_standard_and_extra_keys(json_log: Lines) -> None:
    log.info("job %s started", "j1", extra={"action": "job_started", "job_id": "j1"})
    try:
        raise ValueError("bad line 17")
    except ValueError:
        log.exception("failed", extra={"action": "job_failed"})
    started, failed = json_log()
    assert started["message"] == "job j1 started"
    assert started["level"] == "INFO"
    assert started["logger"] == "easytune.test"
    assert (started["action"], started["job_id"]) == ("job_started", "j1")
    assert started["timestamp"].endswith("+00:00")
    assert failed["level"] == "ERROR"
    assert "ValueError: bad line 17" in failed["exc_info"]


def test_context_fields_nest_and_bind(json_log: Lines) -> None:
    with log_context(job_id="j9"):
        with log_context(step=3):
            bind_log_fields(user_id=5)
            log.info("inner")
            assert current_log_fields() == {"job_id": "j9", "step": 3, "user_id": 5}
        log.info("outer", extra={"job_id": "override"})
    log.info("none")
    inner, outer, bare = json_log()
    assert (inner["job_id"], inner["step"], inner["user_id"]) == ("j9", 3, 5)
    assert outer["job_id"] == "override" and "step" not in outer
    assert "job_id" not in bare


def test_non_json_values_are_stringified(json_log: Lines) -> None:
    log.info("odd", extra={"payload": {1, 2}.__class__, "name_": object()})
    logging.getLogger("uvicorn.error").info("up", extra={"color_message": "\x1b[36mup\x1b[0m"})
    line, uvicorn_line = json_log()
    assert line["payload"] == "<class 'set'>"
    assert uvicorn_line["message"] == "up" and "color_message" not in uvicorn_line


def test_configure_logging_is_idempotent_and_text_mode_works() -> None:
    root = logging.getLogger()
    level, buffer = root.level, io.StringIO()
    try:
        configure_logging("DEBUG", json=True, stream=io.StringIO())
        handler = configure_logging("WARNING", json=False, stream=buffer)
        assert [h for h in root.handlers if h.get_name() == "easytune"] == [handler]
        with log_context(request_id="r1"):
            log.warning("careful", extra={"action": "x"})
        log.info("hidden")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        logging.getLogger("uvicorn.access").disabled = False
    (line,) = buffer.getvalue().splitlines()
    assert (
        "WARNING" in line and "careful" in line and "request_id=r1" in line and "action=x" in line
    )


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc-123_DEF.4:5", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("has space", False),
        ('quote"', False),
        ("new\nline", False),
        ("-leading-dash", False),
    ],
)
def test_incoming_request_ids_are_validated(incoming: str, kept: bool) -> None:
    result = accept_request_id(incoming)
    assert (result == incoming) is kept
    if not kept:
        assert len(result) == 32 and result.isalnum()


def current_user(request: Request) -> int:
    # A sync dependency runs in a worker thread; the user id must still reach the access line.
    user_id = int(request.headers.get("x-user", "0"))
    bind_log_fields(user_id=user_id)
    return user_id


def build_app() -> FastAPI:
    app_log = logging.getLogger("easytune.api.test")
    app = FastAPI()

    @app.get("/api/v1/users/{user_id}")
    async def get_user(
        user_id: int, request: Request, me: Annotated[int, Depends(current_user)]
    ) -> dict[str, Any]:
        app_log.info("looking up user", extra={"action": "user_lookup"})
        return {"id": user_id, "request_id": request.state.request_id}

    app.add_middleware(RequestIdMiddleware)
    return app


@pytest.mark.anyio
async def test_request_id_reaches_header_state_and_every_log_line(
    json_log: Lines, client_for: ClientFor
) -> None:
    async with client_for(build_app()) as client:
        given = await client.get(
            "/api/v1/users/4", headers={"X-Request-ID": "req-42", "x-user": "9"}
        )
        generated = await client.get("/api/v1/users/5", headers={"X-Request-ID": "bad id!"})
    assert given.headers["x-request-id"] == "req-42"
    assert given.json()["request_id"] == "req-42"
    new_id = generated.headers["x-request-id"]
    assert new_id != "bad id!" and generated.json()["request_id"] == new_id

    lines = [line for line in json_log() if line["logger"].startswith("easytune")]
    lookup, access = lines[0], lines[1]
    assert (lookup["action"], lookup["request_id"], lookup["user_id"]) == (
        "user_lookup", "req-42", 9,
    )  # fmt: skip
    assert access["action"] == "http_request"
    assert access["logger"] == "easytune.access"
    assert access["request_id"] == "req-42"
    assert access["user_id"] == 9
    assert (access["method"], access["route"], access["status"]) == (
        "GET", "/api/v1/users/{user_id}", 200,
    )  # fmt: skip
    assert access["path"] == "/api/v1/users/4"
    assert isinstance(access["duration_ms"], float)
    assert lines[3]["request_id"] == new_id
    assert all(json.dumps(line) for line in lines)


@pytest.mark.anyio
async def test_concurrent_requests_keep_their_own_ids(
    json_log: Lines, client_for: ClientFor
) -> None:
    async with client_for(build_app()) as client:
        await asyncio.gather(
            *(
                client.get(
                    f"/api/v1/users/{i}", headers={"X-Request-ID": f"r{i}", "x-user": str(i)}
                )
                for i in range(20)
            )
        )
    access = [line for line in json_log() if line.get("action") == "http_request"]
    assert len(access) == 20
    for line in access:
        assert line["request_id"] == f"r{line['user_id']}"
        assert line["path"] == f"/api/v1/users/{line['user_id']}"
