"""Jobs expose no server paths or stderr to non-admins, overrides cannot name server files,
and priority is capped by role (issue 11, findings 5 and 9)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import update
from tests.core.conftest import job_body

from easytune.api.state import app_state
from easytune.db.models import Job


def test_an_override_cannot_name_a_server_file(client_as: Any, registered: dict[str, str]) -> None:
    engineer = client_as("engineer")
    for path in ("/etc/passwd", "../../secret_key"):
        body = job_body(registered, overrides={"cf.retain_path": path})
        refused = engineer.post("/api/v1/jobs", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["param"] == "overrides.cf.retain_path"
    assert engineer.get("/api/v1/jobs").json()["count"] == 0, "nothing was queued"


def test_a_retain_set_is_a_dataset_its_user_may_read(
    client_as: Any, registered: dict[str, str], upload: Any, second_engineer: Any
) -> None:
    other = second_engineer.post(
        "/api/v1/datasets", files={"file": ("p.jsonl", b'{"text": "private words"}\n')},
        data={"name": "private"},
    ).json()["id"]  # fmt: skip
    body = _plan_body(registered, {"cf.retain_dataset_id": other})
    refused = client_as("engineer").post("/api/v1/intent/plan", json=body)
    assert refused.status_code == 404, refused.text
    assert refused.json()["error"]["param"] == "overrides.cf.retain_dataset_id"
    own = _plan_body(registered, {"cf.retain_dataset_id": registered["dataset"]})
    planned = client_as("engineer").post("/api/v1/intent/plan", json=own)
    assert planned.status_code == 200, planned.text


def _plan_body(registered: dict[str, str], overrides: dict[str, str]) -> dict[str, Any]:
    body = job_body(registered, overrides=overrides)
    return {k: v for k, v in body.items() if k != "name"}


def test_job_specs_and_errors_hide_server_details_from_non_admins(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer, admin = client_as("engineer"), client_as("admin")
    created = engineer.post("/api/v1/jobs", json=job_body(registered))
    assert created.status_code == 201, created.text
    data_dir = str(app_state(app).settings.data_dir.resolve())
    assert data_dir not in created.text, "no server path in the create answer"
    job_id = created.json()["id"]
    with app_state(app).session_factory.begin() as session:
        error = {"code": "training_failed", "message": "it broke\nlast stderr lines:\nSECRET /x"}
        session.execute(update(Job).where(Job.id == job_id).values(error=error))
    seen = engineer.get(f"/api/v1/jobs/{job_id}")
    assert data_dir not in seen.text and "SECRET" not in seen.text, seen.text
    assert seen.json()["error"]["message"] == "it broke"
    assert "SECRET" in admin.get(f"/api/v1/jobs/{job_id}").text
    assert data_dir in admin.get(f"/api/v1/jobs/{job_id}").text


def test_priority_is_capped_by_role(client_as: Any, registered: dict[str, str]) -> None:
    refused = client_as("engineer").post("/api/v1/jobs", json=job_body(registered, priority=10))
    assert refused.status_code == 422 and refused.json()["error"]["param"] == "priority"
    allowed = client_as("admin").post("/api/v1/jobs", json=job_body(registered, priority=10))
    assert allowed.status_code == 201, allowed.text
