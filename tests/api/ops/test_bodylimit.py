"""BodySizeLimitMiddleware: declared lengths, chunked bodies, per-path overrides, real server."""
# mypy: disable-error-code="arg-type"
# A hand-built ASGI scope and send, as a server passes them.

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.types import ASGIApp

from easytune.api.ops import BodySizeLimitMiddleware

pytestmark = pytest.mark.anyio

ClientFor = Callable[..., httpx.AsyncClient]


class Note(BaseModel):
    text: str


def build_app(calls: list[str] | None = None) -> FastAPI:
    app = FastAPI()
    seen = calls if calls is not None else []

    @app.post("/echo-size")
    async def echo_size(request: Request) -> dict[str, int]:
        seen.append("echo-size")
        return {"size": len(await request.body())}

    @app.post("/api/v1/notes")
    async def notes(note: Note) -> dict[str, int]:
        return {"chars": len(note.text)}

    @app.post("/api/v1/datasets")
    async def datasets(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/api/v1/datasets-free")
    async def free(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=100,
        overrides={"/api/v1/datasets": 1000, "/api/v1/datasets-free": None},
    )
    return app


async def chunks(total: int, size: int = 30) -> AsyncIterator[bytes]:
    """A body sent with Transfer-Encoding: chunked (no Content-Length)."""
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert f"{limit} bytes" in error["message"]
    assert error["param"] is None


async def test_declared_length_over_limit_refused_before_the_app(client_for: ClientFor) -> None:
    calls: list[str] = []
    async with client_for(build_app(calls)) as client:
        response = await client.post("/echo-size", content=b"x" * 101)
        ok = await client.post("/echo-size", content=b"x" * 100)
    assert_too_large(response, 100)
    assert response.headers["connection"] == "close"
    assert ok.json() == {"size": 100}
    assert calls == ["echo-size"]  # only the accepted request reached the endpoint


async def test_chunked_body_is_counted_and_refused(client_for: ClientFor) -> None:
    async with client_for(build_app()) as client:
        small = await client.post("/echo-size", content=chunks(90))
        big = await client.post("/echo-size", content=chunks(250))
    assert small.json() == {"size": 90}
    assert_too_large(big, 100)


async def test_chunked_json_body_to_a_pydantic_route_gets_413_not_400(
    client_for: ClientFor,
) -> None:
    async def json_chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        yield b"y" * 500
        yield b'"}'

    async with client_for(build_app()) as client:
        response = await client.post(
            "/api/v1/notes", content=json_chunks(), headers={"content-type": "application/json"}
        )
    assert_too_large(response, 100)


async def test_lying_content_length_cannot_bypass_the_count(client_for: ClientFor) -> None:
    # Declares 50 bytes and streams 250: the counter, not the header, decides.
    app: ASGIApp = build_app()
    body = [b"x" * 50, b"x" * 100, b"x" * 100]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        chunk = body.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(body)}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/echo-size", "raw_path": b"/echo-size", "root_path": "",
        "query_string": b"", "headers": [(b"content-length", b"50")], "client": ("1.2.3.4", 1),
        "server": ("testserver", 80),
    }  # fmt: skip
    await app(scope, receive, send)
    assert sent[0]["status"] == 413


async def test_per_path_overrides(client_for: ClientFor) -> None:
    async with client_for(build_app()) as client:
        dataset_ok = await client.post("/api/v1/datasets", content=chunks(900))
        dataset_big = await client.post("/api/v1/datasets", content=b"x" * 1001)
        free = await client.post("/api/v1/datasets-free", content=chunks(5000, size=1000))
        other = await client.post("/echo-size", content=b"x" * 101)
    assert dataset_ok.json() == {"size": 900}
    assert_too_large(dataset_big, 1000)
    assert free.json() == {"size": 5000}
    assert_too_large(other, 100)


def test_limit_for_prefers_the_longest_prefix() -> None:
    mw = BodySizeLimitMiddleware(
        build_app(), max_body_bytes=10, overrides={"/api": 20, "/api/v1/datasets": 30}
    )
    assert [mw.limit_for(p) for p in ("/x", "/api/v1/jobs", "/api/v1/datasets/1")] == [10, 20, 30]


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run `app` on a real uvicorn server on a free port, in a thread."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_chunked_oversize_refused_by_a_real_server() -> None:
    def body(total: int) -> Iterator[bytes]:
        for _ in range(total // 50):
            yield b"z" * 50

    with serve(build_app()) as base_url, httpx.Client(base_url=base_url) as client:
        big = client.post("/echo-size", content=body(400))
        small = client.post("/echo-size", content=body(100))
    assert big.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in big.request.headers
    assert_too_large(big, 100)
    assert small.json() == {"size": 100}
