"""Job streams against a real server: a flood of streams leaves /healthz fast, streams are
capped per user (429 + Retry-After), and a stream ends when its user loses access."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack

import httpx
import pytest

from easytune.db import create_db_engine, make_session_factory, transaction, utcnow
from easytune.jobs import service
from easytune.testing.fixtures import create_user_in
from easytune.testing.live import LiveServer, live_server

pytestmark = pytest.mark.slow
FLOOD = 48  # more than the 40 threads of the server's pool: the old streams held one each


class _App:
    """The server's database and settings, opened from the test process."""

    def __init__(self, url: str) -> None:
        from easytune.settings import load_settings
        from easytune.testing.fixtures import TEST_SECRET_KEY

        self.engine = create_db_engine(url)
        self.session_factory = make_session_factory(self.engine)
        self.settings = load_settings(
            database_url=url, secret_key=TEST_SECRET_KEY, argon2_time_cost=1,
            argon2_memory_kib=8, argon2_parallelism=1,
        )  # fmt: skip


def _seed(server: LiveServer, username: str) -> tuple[dict[str, str], int]:
    """An engineer and a queued job of theirs (a stream on it never ends by itself)."""
    app = _App(server.database_url)
    user_id = create_user_in(app.session_factory, app.settings, username, "engineer")
    with transaction(app.session_factory) as session:
        job = service.enqueue(session, owner_id=user_id, name="s", spec={}, now=utcnow())
        job_id = job.id
    app.engine.dispose()
    return server.login(username), job_id


@pytest.fixture(scope="module")
def flood_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"EASYTUNE_STREAMS_PER_USER": str(FLOOD + 2)}
    with live_server(tmp_path_factory.mktemp("flood") / "data", env=env) as server:
        yield server


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"EASYTUNE_STREAMS_PER_USER": "2", "EASYTUNE_STREAM_KEEPALIVE_SECONDS": "1"}
    with live_server(tmp_path_factory.mktemp("capped") / "data", env=env) as server:
        yield server


_READERS: list[object] = []  # line iterators kept alive: a collected one closes its stream


async def _open(
    stack: AsyncExitStack, client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> httpx.Response:
    response = await stack.enter_async_context(client.stream("GET", url, headers=headers))
    if response.status_code == 200:
        lines = response.aiter_lines()
        _READERS.append(lines)
        await anext(lines)  # the first frame: the stream is being served
    return response


async def _latencies(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[float]:
    seconds = []
    for _ in range(15):
        started = time.perf_counter()
        response = await client.get(url, headers=headers, timeout=10)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        await asyncio.sleep(0.05)
    return seconds


def test_a_stream_flood_leaves_the_server_responsive(flood_server: LiveServer) -> None:
    headers, job_id = _seed(flood_server, "flooder")
    url = f"{flood_server.base_url}/api/v1/jobs/{job_id}/stream"

    async def run() -> tuple[list[float], list[float]]:
        limits = httpx.Limits(max_connections=FLOOD + 10)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client, AsyncExitStack() as s:
            opened = await asyncio.gather(*(_open(s, client, url, headers) for _ in range(FLOOD)))
            assert all(r.status_code == 200 for r in opened)
            await asyncio.sleep(1.0)  # every stream is now idle between polls
            health = await _latencies(client, f"{flood_server.base_url}/healthz", {})
            me = await _latencies(client, f"{flood_server.base_url}/api/v1/auth/me", headers)
            return health, me

    health, me = asyncio.run(run())
    assert statistics.median(health) < 0.1, f"/healthz took {health}"
    assert statistics.median(me) < 0.5, f"/auth/me took {me}"


def test_streams_per_user_are_capped(capped_server: LiveServer) -> None:
    headers, job_id = _seed(capped_server, "capped")
    url = f"{capped_server.base_url}/api/v1/jobs/{job_id}/stream"

    async def run() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            async with AsyncExitStack() as stack:
                for _ in range(2):
                    assert (await _open(stack, client, url, headers)).status_code == 200
                refused = await client.get(url, headers=headers, timeout=5)
                assert refused.status_code == 429, refused.text
                assert int(refused.headers["Retry-After"]) >= 1
                assert refused.json()["error"]["code"] == "too_many_streams"
            # Both closed: the slots come back once the server notices the disconnects.
            assert await _eventually_opens(client, url, headers)

    asyncio.run(run())


async def _eventually_opens(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> bool:
    for _ in range(50):
        async with AsyncExitStack() as stack:
            if (await _open(stack, client, url, headers)).status_code == 200:
                return True
        await asyncio.sleep(0.2)
    return False


async def _ends_after(
    url: str, headers: dict[str, str], change: Callable[[httpx.AsyncClient], Awaitable[None]]
) -> list[str]:
    """Open a stream with `headers`, make `change`, and read the stream to its end (15 s)."""
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        assert response.status_code == 200
        await change(client)
        return await asyncio.wait_for(_lines(response), 15)


def _ended(lines: list[str]) -> bool:
    return "event: end" in lines and any("access_ended" in line for line in lines)


def test_a_stream_ends_when_its_user_is_disabled(capped_server: LiveServer) -> None:
    headers, job_id = _seed(capped_server, "leaver")
    admin = capped_server.login()
    base = capped_server.base_url

    async def disable(client: httpx.AsyncClient) -> None:
        me = await client.get(f"{base}/api/v1/auth/me", headers=headers)
        patch = await client.patch(
            f"{base}/api/v1/users/{me.json()['id']}", json={"is_active": False}, headers=admin
        )
        assert patch.status_code == 200, patch.text

    lines = asyncio.run(_ends_after(f"{base}/api/v1/jobs/{job_id}/stream", headers, disable))
    assert _ended(lines), lines


def test_a_stream_opened_with_a_token_ends_when_the_token_is_revoked(
    capped_server: LiveServer,
) -> None:
    session, job_id = _seed(capped_server, "tokened")
    base = capped_server.base_url
    created = httpx.post(
        f"{base}/api/v1/auth/tokens", json={"name": "ci", "expires_in_days": 1}, headers=session
    )
    assert created.status_code == 201, created.text
    token = {"Authorization": f"Bearer {created.json()['token']}"}

    async def revoke(client: httpx.AsyncClient) -> None:
        gone = await client.delete(
            f"{base}/api/v1/auth/tokens/{created.json()['id']}", headers=session
        )
        assert gone.status_code == 204, gone.text

    lines = asyncio.run(_ends_after(f"{base}/api/v1/jobs/{job_id}/stream", token, revoke))
    assert _ended(lines), lines


def test_a_stream_on_another_users_job_ends_when_the_admin_is_demoted(
    capped_server: LiveServer,
) -> None:
    _, job_id = _seed(capped_server, "owner")
    app = _App(capped_server.database_url)
    create_user_in(app.session_factory, app.settings, "deputy", "admin")
    app.engine.dispose()
    deputy, admin = capped_server.login("deputy"), capped_server.login()
    base = capped_server.base_url

    async def demote(client: httpx.AsyncClient) -> None:
        me = await client.get(f"{base}/api/v1/auth/me", headers=deputy)
        patch = await client.patch(
            f"{base}/api/v1/users/{me.json()['id']}", json={"role": "engineer"}, headers=admin
        )
        assert patch.status_code == 200, patch.text

    lines = asyncio.run(_ends_after(f"{base}/api/v1/jobs/{job_id}/stream", deputy, demote))
    assert _ended(lines), lines


async def _lines(response: httpx.Response) -> list[str]:
    return [line async for line in response.aiter_lines()]
