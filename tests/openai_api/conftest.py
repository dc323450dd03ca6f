"""A real uvicorn server on a free loopback port, in this process (so tests can look at its
model cache: easytune.testing.live_server), with a shared tiny base model and users that
hold personal API tokens."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import torch
from sqlalchemy import Engine
from tests.core.conftest import CHAT, job_body, jsonl, save_tiny_adapter

from easytune.api.state import app_state
from easytune.db.models.jobs import JobStatus
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.settings import Settings
from easytune.testing.fixtures import create_user_row, platform_settings_for
from easytune.testing.live_server import LiveServer, serve

torch.set_num_threads(1)


@pytest.fixture
def openai_settings(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path
) -> Settings:
    return platform_settings_for(db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir))


@pytest.fixture
def live(openai_settings: Settings, tiny_llama_dir: Path) -> Iterator[LiveServer]:
    """The server with the tiny base model registered (shared) as "tiny" and two engineers."""
    for live in serve(openai_settings):
        create_user_row(live.app, "engineer1", "engineer")
        create_user_row(live.app, "engineer2", "engineer")
        create_user_row(live.app, "viewer1", "viewer")
        with live.client("admin") as admin:
            body = {"path": str(tiny_llama_dir), "name": "tiny"}
            admin.post("/api/v1/models", json=body).raise_for_status()
        yield live


def upload_dataset(http: httpx.Client, name: str = "chat set") -> dict[str, Any]:
    """Upload the small chat dataset through /api/v1."""
    files = {"file": ("data.jsonl", jsonl(CHAT))}
    response = http.post("/api/v1/datasets", files=files, data={"name": name})
    result: dict[str, Any] = response.raise_for_status().json()
    return result


def add_adapter(live: LiveServer, username: str, name: str, tiny_llama_dir: Path) -> str:
    """A real (random) LoRA adapter of the tiny model, registered through a finished job of
    `username` named `name`; returns its registry id."""
    with live.client(username) as http:
        ids = {"model": _model_id(http, "tiny"), "dataset": upload_dataset(http)["id"]}
        job = http.post("/api/v1/jobs", json={**job_body(ids), "name": name}).raise_for_status()
        queue = JobQueue(
            app_state(live.app).session_factory,
            QueueConfig.from_settings(app_state(live.app).settings),
        )
        claim = queue.claim_next("test-worker/1")
        assert claim is not None
        seed = zlib.crc32(name.encode())  # one adapter per name, the same every run
        adapter = save_tiny_adapter(tiny_llama_dir, claim.output_dir / "adapter", seed)
        queue.finish(claim, JobStatus.SUCCEEDED, result={"adapter_dir": str(adapter)})
        result = http.get(f"/api/v1/jobs/{job.json()['id']}").raise_for_status().json()["result"]
        model_id: str = result["adapter_model_id"]
        return model_id


def _model_id(http: httpx.Client, name: str) -> str:
    rows = http.get("/api/v1/models", params={"name": name}).raise_for_status().json()["data"]
    model_id: str = next(r["id"] for r in rows if r["name"] == name and r["kind"] == "base")
    return model_id
