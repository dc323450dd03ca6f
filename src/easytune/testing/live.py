"""A real `easytune serve` in a subprocess on a free loopback port, for load and flood tests.

It imports this checkout's code (PYTHONPATH), uses a fixed test key, cheap argon2 and no demo
assets, and is stopped (SIGTERM, then SIGKILL) when the context ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from easytune.testing.fixtures import TEST_PASSWORD, TEST_SECRET_KEY

SRC = Path(__file__).resolve().parents[2]


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A TCP port free on loopback right now, never one this process handed out before: the
    kernel may offer a just-released port again, and two servers asked for one after the other
    (nginx's http and https ports) would then collide."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL, data dir and database URL."""

    base_url: str
    data_dir: Path
    database_url: str
    log: Path

    def login(self, username: str = "admin", password: str = TEST_PASSWORD) -> dict[str, str]:
        """The Authorization header of a fresh sign-in."""
        body = {"username": username, "password": password}
        response = httpx.post(f"{self.base_url}/api/v1/auth/login", json=body, timeout=30)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def server_env(data_dir: Path, database_url: str, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a test server: this checkout's code, fixed key, cheap hashing."""
    return {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "EASYTUNE_DATABASE_URL": database_url,
        "EASYTUNE_DATA_DIR": str(data_dir),
        "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY,
        "EASYTUNE_ADMIN_PASSWORD": TEST_PASSWORD,
        "EASYTUNE_ARGON2_TIME_COST": "1",
        "EASYTUNE_ARGON2_MEMORY_KIB": "8",
        "EASYTUNE_ARGON2_PARALLELISM": "1",
        "EASYTUNE_DEMO_ASSETS": "false",
        "EASYTUNE_WEB_DIST": "",
        "EASYTUNE_LOG_JSON": "false",
        "EASYTUNE_LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def live_server(
    data_dir: Path, database_url: str = "", env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """Start `easytune serve --no-worker`; yields once /readyz answers, stops it afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{data_dir / 'easytune.db'}"
    port = free_port()
    log = data_dir.parent / f"server-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "easytune", "serve", "--no-worker", "--port", str(port)],
            env=server_env(data_dir, url, env or {}),
            stdout=out,
            stderr=out,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, url, log)
    try:
        _wait_ready(server, proc)
        yield server
    finally:
        _stop(proc)


def _wait_ready(server: LiveServer, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not become ready: {server.log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
