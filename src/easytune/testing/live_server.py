"""The API served for real over HTTP in this process: uvicorn on a free loopback port in a
thread (tests and benchmarks look at the app's state, e.g. its model cache, while it serves)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import uvicorn
from fastapi import FastAPI

from easytune.api import create_app
from easytune.settings import Settings
from easytune.testing.fixtures import TEST_PASSWORD
from easytune.testing.live import free_port


@dataclass
class LiveServer:
    """The app served over HTTP; `token(user)` is that user's personal API token."""

    app: FastAPI
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, username: str = "admin") -> httpx.Client:
        """An httpx client of the server, signed in with the user's API token."""
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def token(self, username: str) -> str:
        """The user's personal API token (created on first use; password TEST_PASSWORD)."""
        if username not in self.tokens:
            self.tokens[username] = _api_token(self.url, username)
        return self.tokens[username]


def _api_token(url: str, username: str) -> str:
    with httpx.Client(base_url=url, timeout=30) as http:
        body = {"username": username, "password": TEST_PASSWORD}
        access = http.post("/api/v1/auth/login", json=body).raise_for_status().json()
        headers = {"Authorization": f"Bearer {access['access_token']}"}
        created = http.post("/api/v1/auth/tokens", json={"name": "sdk"}, headers=headers)
        token: str = created.raise_for_status().json()["token"]
        return token


def serve(settings: Settings) -> Iterator[LiveServer]:
    """Run create_app(settings) under uvicorn in a thread until the generator is closed."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
