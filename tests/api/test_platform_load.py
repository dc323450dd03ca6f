"""100 clients against a real server for 5 s: no 5xx but 503 + Retry-After, /healthz fast."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Iterator

import httpx
import pytest

from easytune.testing.live import LiveServer, live_server
from easytune.testing.load import run_load

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"EASYTUNE_RATE_LIMIT_PER_MINUTE": "1000000"}
    with live_server(tmp_path_factory.mktemp("load") / "data", env=env) as live:
        yield live


def test_a_hundred_clients_get_answers_and_healthz_stays_fast(server: LiveServer) -> None:
    created = httpx.post(
        f"{server.base_url}/api/v1/auth/tokens",
        json={"name": "load", "expires_in_days": 1},
        headers=server.login(),
    )
    headers = {"Authorization": f"Bearer {created.json()['token']}"}
    result = asyncio.run(run_load(server.base_url, "/api/v1/datasets", headers, 100, 5.0))
    print(result.summary())
    assert result.requests >= 100, result.summary()
    assert not result.errors and result.bad_5xx == 0, result.summary()
    assert result.health_failures == 0 and len(result.health) >= 10, result.summary()
    assert statistics.median(result.health) < 0.1, result.summary()


def test_an_idle_connection_outlives_uvicorns_five_seconds(server: LiveServer) -> None:
    """A kept-alive connection idle past uvicorn's 5 s default still takes the next request:
    the server closing it just as a client (or nginx's upstream pool, 60 s) reuses it was the
    load bench's rare `Server disconnected without sending a response`."""
    import http.client
    import time
    from urllib.parse import urlsplit

    address = urlsplit(server.base_url)
    assert address.hostname is not None and address.port is not None
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        first = conn.getresponse()
        assert first.status == 200 and first.read() == b'{"status":"ok"}'
        sock = conn.sock
        time.sleep(6.5)
        # The same socket: a closed one raises RemoteDisconnected here (http.client does not
        # reconnect a socket it still holds).
        conn.request("GET", "/healthz")
        second = conn.getresponse()
        assert second.status == 200 and second.read() == b'{"status":"ok"}'
        assert conn.sock is sock
    finally:
        conn.close()
