"""Real platform processes for reliability tests: `easytune serve --no-worker` and `easytune
worker` as subprocesses sharing one data dir and database, driven over HTTP with httpx."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from easytune.testing.fixtures import TEST_PASSWORD, TEST_SECRET_KEY
from easytune.testing.live import free_port

SRC = Path(__file__).resolve().parents[2] / "src"
TERMINAL = {"succeeded", "failed", "cancelled"}


@dataclass
class Platform:
    """One data dir + database; starts API and worker processes on it and stops them all."""

    db_url: str
    data_dir: Path
    stats_tokenizer: str
    port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(SRC),  # servers, workers and training children import this checkout
            "HF_HUB_OFFLINE": "1",
            "EASYTUNE_DATABASE_URL": self.db_url,
            "EASYTUNE_DATA_DIR": str(self.data_dir),
            "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY,
            "EASYTUNE_ADMIN_PASSWORD": TEST_PASSWORD,
            "EASYTUNE_ARGON2_TIME_COST": "1",
            "EASYTUNE_ARGON2_MEMORY_KIB": "8",
            "EASYTUNE_ARGON2_PARALLELISM": "1",
            "EASYTUNE_DEMO_ASSETS": "false",
            "EASYTUNE_WEB_DIST": "",
            "EASYTUNE_STATS_TOKENIZER": self.stats_tokenizer,
            "EASYTUNE_LOG_JSON": "false",
            "EASYTUNE_RATE_LIMIT_PER_MINUTE": "100000",
            # A killed worker's job is taken back within seconds, not a minute.
            "EASYTUNE_JOB_LEASE_SECONDS": "4",
            "EASYTUNE_JOB_HEARTBEAT_SECONDS": "1",
            "EASYTUNE_JOB_POLL_SECONDS": "0.2",
        }

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.data_dir.parent / f"{name}-{len(self.procs)}.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "easytune", *args], env=self.env(), stdout=log, stderr=log
        )
        self.procs.append(proc)
        return proc

    def start_api(self) -> subprocess.Popen[bytes]:
        """`easytune serve --no-worker`; returns once /readyz answers 200."""
        proc = self._start("api", "serve", "--no-worker", "--port", str(self.port))
        wait_for(lambda: _ready(self.base_url, proc), 60, "the API did not become ready")
        return proc

    def start_worker(self) -> subprocess.Popen[bytes]:
        """A standalone `easytune worker` (local executor)."""
        return self._start("worker", "worker")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, username: str = "admin") -> httpx.Client:
        """A signed-in client of the current API process."""
        client = httpx.Client(base_url=self.base_url, timeout=30)
        body = {"username": username, "password": TEST_PASSWORD}
        token = client.post("/api/v1/auth/login", json=body).raise_for_status().json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        return client

    def stop_all(self) -> None:
        """SIGTERM every process still alive, SIGKILL the ones that do not stop in time."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        """Every process log, for assertion messages."""
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
            for p in sorted(self.data_dir.parent.glob("*.log"))
        )


def _ready(base_url: str, proc: subprocess.Popen[bytes]) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"the API exited with {proc.returncode}")
    try:
        return httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(check: Callable[[], Any], timeout: float, message: str, every: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy; AssertionError(message) at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(message)


def job_in(client: httpx.Client, job_id: int, statuses: set[str]) -> dict[str, Any] | None:
    """The job when its status is one of `statuses`, else None."""
    job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").raise_for_status().json()
    return job if job["status"] in statuses else None


def train_steps(client: httpx.Client, job_id: int) -> list[int]:
    """The steps of the job's train metric rows, in the order the API returns them."""
    rows = client.get(f"/api/v1/jobs/{job_id}/metrics").raise_for_status().json()["data"]
    return [r["step"] for r in rows if r["kind"] == "train" and r["loss"] is not None]
