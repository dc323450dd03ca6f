"""deploy/compose.yaml's command lines, run natively end to end: a fresh PostgreSQL database,
Redis, `easytune db upgrade`, `easytune serve --no-worker` on the Celery executor, two
`easytune worker --executor celery`, and Debian's nginx rendered from the compose template
with a certificate from the nginx image's own script, all driven through https://127.0.0.1.
"""
# mypy: disable-error-code="misc"
# lambda with a default argument binds the loop variable.

from __future__ import annotations

import io
import json
import os
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from tests.core.conftest import CHAT, jsonl
from tests.core.processes import wait_for
from tests.deploy.stack import Stack, make_certificate, nginx_binary, write_secrets

from easytune.api.ops.security import BASE_HEADERS, SPA_CSP
from easytune.testing.fixtures import PG_ADMIN_DSN, PG_HOST_URL

BROKER = "redis://127.0.0.1:6379/0"
MAX_UPLOAD = 256 * 1024
OVERRIDES = {
    "train.max_steps": 24,
    "train.save_every_steps": 8,
    "train.batch_size": 2,
    "data.max_length": 64,
    "data.eval_fraction": 0.0,
    "cf.enabled": False,
}
INDEX = "<!doctype html><title>EasyTune</title><script src='/assets/app-1a2b.js'></script>"


def _require_services() -> None:
    try:
        nginx_binary()
    except FileNotFoundError:
        if os.geteuid() == 0:  # CI runs as root: `make deploy-tools` must have installed it
            pytest.fail("nginx is missing: run `make deploy-tools` (apt-get install nginx-light)")
        pytest.skip("nginx is missing: apt-get install nginx-light (as root)")
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis at {BROKER} unreachable: {exc}")


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database of this test's own, dropped afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {PG_ADMIN_DSN} unreachable: {exc}")
    name = f"easytune_deploy_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_HOST_URL}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _web_root(folder: Path) -> Path:
    """A built UI's shape: index.html and a content-hashed asset."""
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "app-1a2b.js").write_text("console.log('easytune')")
    return folder


@pytest.fixture
def stack(tmp_path: Path, fresh_database: str, tiny_llama_dir: Path) -> Iterator[Stack]:
    _require_services()
    queue = f"easytune-deploy-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "HF_HUB_OFFLINE": "1",
        # What compose.yaml's x-easytune-environment sets, secrets as files included.
        **write_secrets(tmp_path / "secrets", fresh_database, BROKER),
        "EASYTUNE_DATA_DIR": str(tmp_path / "data"),
        "EASYTUNE_EXECUTOR": "celery",
        "EASYTUNE_AUTO_MIGRATE": "false",
        "EASYTUNE_WEB_DIST": "",
        "EASYTUNE_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
        "EASYTUNE_CELERY_QUEUE": queue,
        "EASYTUNE_DEMO_ASSETS": "false",
        "EASYTUNE_STATS_TOKENIZER": str(tiny_llama_dir),
        "EASYTUNE_LOG_JSON": "false",
        "EASYTUNE_RATE_LIMIT_PER_MINUTE": "100000",
        "EASYTUNE_ARGON2_TIME_COST": "1",
        "EASYTUNE_ARGON2_MEMORY_KIB": "8",
        "EASYTUNE_ARGON2_PARALLELISM": "1",
    }
    running = Stack(tmp_path, env)
    try:
        yield running
    finally:
        running.stop_all()
        redis.Redis.from_url(BROKER).delete(queue)


def _bring_up(stack: Stack) -> httpx.Client:
    """migrate, api, two workers, nginx, in compose's dependency order; an https client."""
    migrated = stack.run("db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    api = stack.easytune("api", "serve", "--no-worker", "--host", "127.0.0.1",
                         "--port", str(stack.api_port))  # fmt: skip
    for _ in range(2):
        stack.easytune("worker", "worker", "--executor", "celery", "--slots", "1")
    cert = make_certificate(stack.tmp / "certs")
    stack.start_nginx(_web_root(stack.tmp / "web"), cert.parent, MAX_UPLOAD)
    client = httpx.Client(
        base_url=f"https://127.0.0.1:{stack.https_port}", verify=str(cert), timeout=30
    )
    wait_for(lambda: _ready(client, api), 90, f"not ready through nginx\n{stack.logs()}")
    return client


def _ready(client: httpx.Client, api: Any) -> bool:
    assert api.poll() is None, "the API exited"
    try:
        return client.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False


def _sign_in(stack: Stack, client: httpx.Client) -> None:
    password = Path(stack.env["EASYTUNE_ADMIN_PASSWORD_FILE"]).read_text()
    body = {"username": "admin", "password": password}
    token = client.post("/api/v1/auth/login", json=body)
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


def _check_edge(stack: Stack, client: httpx.Client) -> None:
    """Redirect, SPA routing, headers, /metrics hidden, nginx's own 413 in the API's shape."""
    plain = httpx.get(f"http://127.0.0.1:{stack.http_port}/jobs/7?x=1", follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://127.0.0.1:{stack.https_port}/jobs/7?x=1"
    for path in ("/", "/jobs/42"):  # a deep link is the SPA's, not a 404
        page = client.get(path)
        assert page.status_code == 200 and page.text == INDEX
        assert page.headers["cache-control"] == "no-cache"
        for name, value in {**BASE_HEADERS, "Content-Security-Policy": SPA_CSP}.items():
            assert page.headers.get(name) == value, name
        assert page.headers["strict-transport-security"] == "max-age=31536000"
    asset = client.get("/assets/app-1a2b.js")
    assert "immutable" in asset.headers["cache-control"]
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/metrics").status_code == 404
    api = client.get("/api/v1/auth/me")  # proxied: the app's headers, one HSTS from nginx
    assert api.status_code == 200 and api.json()["username"] == "admin"
    assert api.headers["x-frame-options"] == "DENY"
    assert api.headers.get_list("strict-transport-security") == ["max-age=31536000"]
    files = {"file": ("big.jsonl", b"x" * (MAX_UPLOAD + 1))}
    big = client.post("/api/v1/datasets", files=files, data={"name": "too big"})
    assert big.status_code == 413, big.text
    assert big.json()["error"]["code"] == "request_too_large"


def _create_jobs(client: httpx.Client, tiny_llama_dir: Path, count: int) -> list[int]:
    base = client.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"})
    assert base.status_code == 201, base.text
    files = {"file": ("chat.jsonl", jsonl(CHAT * 4))}
    dataset = client.post("/api/v1/datasets", files=files, data={"name": "chat"})
    assert dataset.status_code == 201, dataset.text
    ids = []
    for n in range(count):
        body = {
            "name": f"deployed-{n}", "base_model_id": base.json()["id"],
            "dataset_id": dataset.json()["id"], "overrides": OVERRIDES,
            "intent": {"level": "L1", "description": ""},
        }  # fmt: skip
        job = client.post("/api/v1/jobs", json=body)
        assert job.status_code == 201, job.text
        ids.append(job.json()["id"])
    return ids


def _both_workers_busy(client: httpx.Client) -> bool:
    workers = client.get("/api/v1/dashboard").raise_for_status().json()["workers"]
    celery = [w for w in workers if w["executor"] == "celery" and w["online"]]
    return len(celery) == 2 and all(w["busy"] == 1 for w in celery)


def _read_stream(client: httpx.Client, job_id: int) -> list[tuple[float, str, dict[str, Any]]]:
    """Every SSE message of the job through nginx, with its arrival time, to the end."""
    frames: list[tuple[float, str, dict[str, Any]]] = []
    kind = ""
    with client.stream("GET", f"/api/v1/jobs/{job_id}/stream", timeout=180) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                frames.append((time.monotonic(), kind, json.loads(line.removeprefix("data: "))))
    return frames


def _check_adapter(client: httpx.Client, job: dict[str, Any]) -> None:
    adapter_id = job["result"]["adapter_model_id"]
    download = client.get(f"/api/v1/models/{adapter_id}/download")
    assert download.status_code == 200, download.text
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert any(n.endswith("adapter_model.safetensors") for n in names), names
    assert any(n.endswith("adapter_config.json") for n in names), names


@pytest.mark.slow
@pytest.mark.postgres
def test_compose_command_lines_run_a_job_end_to_end_through_nginx_tls(
    stack: Stack, tiny_llama_dir: Path
) -> None:
    client = _bring_up(stack)
    _sign_in(stack, client)
    _check_edge(stack, client)
    first, second = _create_jobs(client, tiny_llama_dir, 2)
    wait_for(lambda: _both_workers_busy(client), 90,
             f"the two Celery workers did not run a job each\n{stack.logs()}")  # fmt: skip

    frames = _read_stream(client, first)
    kinds = [kind for _, kind, _ in frames]
    assert kinds[-1] == "end" and frames[-1][2]["status"] == "succeeded", (kinds, stack.logs())
    metric_times = [at for at, kind, data in frames if kind == "metric"]
    assert len(metric_times) >= OVERRIDES["train.max_steps"]
    # Unbuffered: metrics arrived while training went on, not in one burst at the end.
    assert metric_times[-1] - metric_times[0] > 0.5, metric_times
    for job_id in (first, second):
        job = wait_for(lambda j=job_id: _finished(client, j), 120, f"job {job_id}\n{stack.logs()}")
        assert job["status"] == "succeeded", (job["error"], stack.logs())
        _check_adapter(client, job)


def _finished(client: httpx.Client, job_id: int) -> dict[str, Any] | None:
    job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").raise_for_status().json()
    return job if job["status"] in {"succeeded", "failed", "cancelled"} else None
