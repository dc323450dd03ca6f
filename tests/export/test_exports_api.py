"""Exports over HTTP: queued as jobs of kind `export`, run by a real child, registered with
sha256 and lineage, listed, downloaded whole or by Range, deleted by their owner only."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from easytune.api.state import app_state
from easytune.settings import Settings
from easytune.testing.fixtures import create_user_row, login_headers, platform_settings_for

from .api_helpers import kill_child_when, run_next_job, trained_adapter

pytestmark = [
    pytest.mark.slow,
]
CHAT = "".join(
    json.dumps({"messages": [{"role": "user", "content": f"q {i}"},
                             {"role": "assistant", "content": f"Arr {i}"}]}) + "\n"
    for i in range(6)
).encode()  # fmt: skip


@pytest.fixture
def platform_settings(
    db_url: str, db_engine: Engine, tmp_path: Path, spm_llama_dir: Path
) -> Settings:
    return platform_settings_for(db_url, tmp_path / "data", stats_tokenizer=str(spm_llama_dir))


@pytest.fixture
def adapter_id(client_as: Callable[[str], TestClient], app: FastAPI, spm_llama_dir: Path) -> str:
    """Engineer A's private adapter, trained on the shared tiny base."""
    base = client_as("admin").post("/api/v1/models", json={"path": str(spm_llama_dir)})
    assert base.status_code == 201, base.text
    engineer = client_as("engineer")
    data = engineer.post("/api/v1/datasets", files={"file": ("d.jsonl", CHAT)}, data={"name": "d"})
    assert data.status_code == 201, data.text
    return trained_adapter(app, engineer, base.json()["id"], data.json()["id"], spm_llama_dir)


def _export(client: TestClient, adapter: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/models/{adapter}/exports", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_merged_export_runs_as_a_job_and_downloads_with_range(
    client_as: Any, app: FastAPI, adapter_id: str
) -> None:
    engineer = client_as("engineer")
    job = _export(engineer, adapter_id, format="merged")
    assert job["kind"] == "export" and job["status"] == "queued"
    assert run_next_job(app) == "succeeded"
    done = engineer.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["progress"]["stage"] == "done" and done["progress"]["fraction"] == 1.0
    stages = [
        e["data"].get("stage")
        for e in engineer.get(f"/api/v1/jobs/{job['id']}/events").json()["data"]
    ]
    assert stages.index("merge") < stages.index("archive") < stages.index("done")
    (export,) = engineer.get(f"/api/v1/models/{adapter_id}/exports").json()["data"]
    assert export["job_id"] == job["id"] and export["model_id"] == adapter_id
    assert (
        export["base_model_id"] == job["base_model_id"] and export["primary_file"] == "merged.zip"
    )
    url = f"/api/v1/exports/{export['id']}/download"
    whole = engineer.get(url)
    assert (
        whole.status_code == 200 and hashlib.sha256(whole.content).hexdigest() == export["sha256"]
    )
    assert whole.headers["x-checksum-sha256"] == export["sha256"]
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert {"config.json", "generation_config.json", "tokenizer.json"} <= set(
            archive.namelist()
        )
    head = engineer.get(url, headers={"Range": "bytes=0-99"})
    tail = engineer.get(url, headers={"Range": "bytes=100-"})
    assert head.status_code == tail.status_code == 206 and len(head.content) == 100
    assert head.content + tail.content == whole.content  # a broken download resumes


def test_bad_export_requests_name_the_field(client_as: Any, adapter_id: str) -> None:
    engineer = client_as("engineer")
    url = f"/api/v1/models/{adapter_id}/exports"
    onnx = engineer.post(url, json={"format": "onnx"})
    assert onnx.status_code == 422 and "format" in onnx.text
    lora = engineer.post(url, json={"format": "gguf_lora", "quantization": "q4_k_m"})
    assert lora.status_code == 422
    assert lora.json()["error"]["param"] == "quantization" and "f16, q8_0" in lora.text
    bases = engineer.get("/api/v1/models", params={"kind": "base"}).json()["data"]
    base = engineer.post(f"/api/v1/models/{bases[0]['id']}/exports", json={"format": "gguf"})
    assert base.status_code == 400 and "only adapters" in base.text
    assert (
        engineer.post("/api/v1/models/mdl_nope/exports", json={"format": "gguf"}).status_code == 404
    )
    assert client_as("viewer").post(url, json={"format": "gguf"}).status_code == 403


def test_other_users_get_404_and_the_owner_deletes(
    client_as: Any, client: TestClient, app: FastAPI, adapter_id: str
) -> None:
    engineer = client_as("engineer")
    _export(engineer, adapter_id, format="merged")
    assert run_next_job(app) == "succeeded"
    (export,) = engineer.get(f"/api/v1/models/{adapter_id}/exports").json()["data"]
    create_user_row(app, "engineer2", "engineer")
    other = TestClient(client.app, headers=login_headers(client, "engineer2"))
    for method, url in [
        ("POST", f"/api/v1/models/{adapter_id}/exports"),
        ("GET", f"/api/v1/models/{adapter_id}/exports"),
        ("GET", f"/api/v1/exports/{export['id']}/download"),
        ("DELETE", f"/api/v1/exports/{export['id']}"),
    ]:
        response = other.request(method, url, json={"format": "merged"})
        assert response.status_code == 404, (method, url, response.text)
    admin = client_as("admin")
    assert [e["id"] for e in admin.get(f"/api/v1/models/{adapter_id}/exports").json()["data"]] == [
        export["id"]
    ]
    folder = Path(app_state(app).settings.data_dir) / "jobs" / str(export["job_id"]) / "export"
    assert (folder / "merged.zip").is_file()
    assert engineer.delete(f"/api/v1/exports/{export['id']}").status_code == 204
    assert not folder.exists()
    assert engineer.get(f"/api/v1/exports/{export['id']}/download").status_code == 404


def test_an_export_killed_mid_way_is_retried_and_ends_whole(
    client_as: Any, app: FastAPI, adapter_id: str
) -> None:
    engineer = client_as("engineer")
    job = _export(engineer, adapter_id, format="merged")
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])

    def merging() -> bool:
        progress = out / "progress.jsonl"
        return progress.is_file() and '"stage": "merge"' in progress.read_text()

    assert kill_child_when(app, str(out), merging) == "queued"  # SIGKILL: attempt 2 queued
    killed = engineer.get(f"/api/v1/jobs/{job['id']}").json()
    assert (
        killed["attempt"] == 2
        and engineer.get(f"/api/v1/models/{adapter_id}/exports").json()["count"] == 0
    )
    assert run_next_job(app) == "succeeded"
    (export,) = engineer.get(f"/api/v1/models/{adapter_id}/exports").json()["data"]
    download = engineer.get(f"/api/v1/exports/{export['id']}/download")
    assert hashlib.sha256(download.content).hexdigest() == export["sha256"]
    assert sorted(p.name for p in (out / "export").iterdir()) == ["merged.zip"]


def test_deleting_the_adapter_removes_its_exports(client_as: Any, app: FastAPI, adapter_id: str):
    engineer = client_as("engineer")
    job = _export(engineer, adapter_id, format="merged")
    assert run_next_job(app) == "succeeded"
    folder = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"]) / "export"
    assert folder.is_dir()
    assert engineer.delete(f"/api/v1/models/{adapter_id}").status_code == 204
    assert not folder.exists()
