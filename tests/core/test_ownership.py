"""Ownership on every resource endpoint: user B gets 404 for user A's private datasets, jobs and
adapters (read, list, act), sees shared ones but cannot change them (403); admins see all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.core.conftest import job_body, save_tiny_adapter

from easytune.api.state import app_state
from easytune.db.models.jobs import JobStatus
from easytune.jobs.queue import JobQueue, QueueConfig


@pytest.fixture
def owned_by_a(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path
) -> dict[str, Any]:
    """Engineer A's private dataset, a succeeded job with its adapter, and a queued job."""
    a = client_as("engineer")
    done = a.post("/api/v1/jobs", json=job_body(registered)).json()
    queue = JobQueue(
        app_state(app).session_factory, QueueConfig.from_settings(app_state(app).settings)
    )
    claim = queue.claim_next("test-worker/1")
    assert claim is not None and claim.job_id == done["id"]
    adapter = save_tiny_adapter(tiny_llama_dir, claim.output_dir / "adapter")
    queue.finish(claim, JobStatus.SUCCEEDED, result={"adapter_dir": str(adapter)})
    queued = a.post("/api/v1/jobs", json=job_body(registered, name="second")).json()
    adapter_id = a.get(f"/api/v1/jobs/{done['id']}").json()["result"]["adapter_model_id"]
    return {"dataset": registered["dataset"], "jobs": [done["id"], queued["id"]],
            "adapter": adapter_id, "base": registered["model"]}  # fmt: skip


def _endpoints(ids: dict[str, Any]) -> list[tuple[str, str]]:
    ds, (done, queued), mdl = ids["dataset"], ids["jobs"], ids["adapter"]
    return [
        ("GET", f"/api/v1/datasets/{ds}"),
        ("GET", f"/api/v1/datasets/{ds}/preview"),
        ("DELETE", f"/api/v1/datasets/{ds}"),
        ("GET", f"/api/v1/jobs/{done}"),
        ("POST", f"/api/v1/jobs/{queued}/cancel"),
        ("POST", f"/api/v1/jobs/{done}/retry"),
        ("GET", f"/api/v1/jobs/{done}/events"),
        ("GET", f"/api/v1/jobs/{done}/metrics"),
        ("GET", f"/api/v1/jobs/{done}/checkpoints"),
        ("GET", f"/api/v1/jobs/{done}/stream"),
        ("GET", f"/api/v1/models/{mdl}"),
        ("GET", f"/api/v1/models/{mdl}/download"),
        ("DELETE", f"/api/v1/models/{mdl}"),
    ]


def test_other_users_get_404_everywhere(
    owned_by_a: dict[str, Any], second_engineer: TestClient, client_as: Any
) -> None:
    b = second_engineer
    for method, url in _endpoints(owned_by_a):
        response = b.request(method, url)
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
        assert response.json()["error"]["code"] == "not_found"
    plan = job_body({"model": owned_by_a["base"], "dataset": owned_by_a["dataset"]})
    assert b.post("/api/v1/jobs", json=plan).status_code == 404  # A's dataset is invisible
    assert b.get("/api/v1/datasets").json()["count"] == 0
    assert b.get("/api/v1/jobs").json()["count"] == 0
    assert [m["kind"] for m in b.get("/api/v1/models").json()["data"]] == ["base"]
    a = client_as("engineer")  # and A still has everything
    assert a.get(f"/api/v1/models/{owned_by_a['adapter']}").status_code == 200


def test_admins_see_and_act_on_everything(owned_by_a: dict[str, Any], client_as: Any) -> None:
    admin = client_as("admin")
    assert admin.get("/api/v1/jobs").json()["count"] == 2
    assert admin.get("/api/v1/datasets").json()["count"] == 1
    assert admin.get("/api/v1/models", params={"kind": "adapter"}).json()["count"] == 1
    assert admin.get(f"/api/v1/models/{owned_by_a['adapter']}/download").status_code == 200
    queued = owned_by_a["jobs"][1]
    assert admin.post(f"/api/v1/jobs/{queued}/cancel").json()["status"] == "cancelled"


def test_shared_is_readable_but_not_changeable(
    upload: Any, second_engineer: TestClient, client_as: Any
) -> None:
    shared = upload(visibility="shared").json()
    b = second_engineer
    assert b.get(f"/api/v1/datasets/{shared['id']}").status_code == 200
    assert b.get(f"/api/v1/datasets/{shared['id']}/preview").status_code == 200
    assert b.get("/api/v1/datasets").json()["count"] == 1
    refused = b.delete(f"/api/v1/datasets/{shared['id']}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert client_as("engineer").delete(f"/api/v1/datasets/{shared['id']}").status_code == 204
