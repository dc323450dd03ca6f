"""The audit trail: a row for every action that changes or hands out data, filterable by
user, action, target and time, and append-only in the database for everyone."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tests.core.conftest import job_body
from tests.core.import_helpers import AdapterParts, clean_parts, zip_bytes
from tests.export.api_helpers import CHILD_ENV, queue_of

from easytune.db.models import AuditEvent, ExportRecord
from easytune.settings import Settings

AUDIT = "/api/v1/audit"


@pytest.fixture(scope="module")
def clean(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> AdapterParts:
    return clean_parts(tiny_llama_dir, tmp_path_factory.mktemp("adapter"))


def _export_row(factory: Callable[[], Session], folder: Path, model_id: str, owner: int) -> str:
    """An export on disk as the export job leaves it (the job itself is tested in tests/export)."""
    folder.mkdir(parents=True)
    data = b"GGUF fake bytes"
    (folder / "adapter.gguf").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    with factory() as session, session.begin():
        session.add(ExportRecord(
            id="exp_audit", model_id=model_id, owner_id=owner, format="gguf_lora",
            path=str(folder), primary_file="adapter.gguf", size_bytes=len(data), sha256=digest,
            files=[{"name": "adapter.gguf", "size_bytes": len(data), "sha256": digest}],
        ))  # fmt: skip
    return "exp_audit"


def _run_job(app: FastAPI, job_id: int) -> str:
    """Claim this job (an import's probe job) through the queue and run its real child."""
    from easytune.jobs.execution import JobExecution, RunConfig
    from easytune.jobs.runner import training_command

    queue = queue_of(app)
    attempt = queue.claim(job_id, "test-worker/1")
    assert attempt.claim is not None, attempt
    run = RunConfig(heartbeat_seconds=0.5, child_env=CHILD_ENV)
    return JobExecution(queue, attempt.claim, training_command, run).run()


def _actions(admin: TestClient, **params: Any) -> list[str]:
    page = admin.get(AUDIT, params={"limit": 500, **params})
    assert page.status_code == 200, page.text
    return [row["action"] for row in page.json()["data"]]


@pytest.mark.slow
def test_every_action_leaves_a_row_filterable_by_user_action_and_time(
    client_as: Callable[[str], TestClient], upload: Callable[..., Any], clean: AdapterParts,
    tiny_llama_dir: Path, session_factory: Callable[[], Session], platform_settings: Settings,
    app: FastAPI,
) -> None:  # fmt: skip
    admin, engineer = client_as("admin"), client_as("engineer")
    started = datetime.now(UTC) - timedelta(seconds=1)
    base = admin.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"}).json()
    dataset = upload().json()
    ids = {"model": base["id"], "dataset": dataset["id"]}
    job = engineer.post("/api/v1/jobs", json=job_body(ids)).json()
    assert engineer.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 200
    assert engineer.post(f"/api/v1/jobs/{job['id']}/retry").status_code == 200
    spare = upload(name="spare").json()
    assert engineer.delete(f"/api/v1/datasets/{spare['id']}").status_code == 204
    form = {"name": "imported", "base_model_id": base["id"]}
    imported = engineer.post(
        "/api/v1/models/import", files={"file": ("a.zip", zip_bytes(clean))}, data=form
    ).json()
    assert _run_job(app, imported["import_report"]["probe_job_id"]) == "succeeded"
    assert engineer.get(f"/api/v1/models/{imported['id']}/download").status_code == 200
    owner = engineer.get("/api/v1/auth/me").json()["id"]
    export_id = _export_row(
        session_factory, platform_settings.data_dir / "exp", imported["id"], owner
    )
    assert engineer.get(f"/api/v1/exports/{export_id}/download").status_code == 200
    token = engineer.post("/api/v1/auth/tokens", json={"name": "ci"}).json()
    assert engineer.delete(f"/api/v1/auth/tokens/{token['id']}").status_code == 204
    assert engineer.delete(f"/api/v1/models/{imported['id']}").status_code == 204

    mine = _actions(admin, user="engineer1")
    for action in (
        "dataset.created", "job.created", "job.cancelled", "job.retried", "dataset.deleted",
        "model.import.scanned", "model.downloaded", "export.downloaded",
        "api_token.created", "api_token.revoked", "model.deleted",
    ):  # fmt: skip
        assert action in mine, (action, mine)
    assert "model.registered" in _actions(admin, user="admin")
    assert "model.import.usable" in _actions(admin, target_type="model", target_id=imported["id"])
    assert sorted(_actions(admin, action="job.")) == ["job.cancelled", "job.created", "job.retried"]
    assert _actions(admin, action="dataset.", since=started.isoformat()) == [
        "dataset.deleted", "dataset.created", "dataset.created",
    ]  # fmt: skip
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _actions(admin, since=later) == []
    assert _actions(admin, until=started.isoformat()) == []
    row = admin.get(AUDIT, params={"action": "job.created"}).json()["data"][0]
    assert row["target_type"] == "job" and row["target_id"] == str(job["id"])
    assert row["actor_username"] == "engineer1" and row["client_address"] == "testclient"


def test_bad_filters_are_refused(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    now = datetime.now(UTC)
    backwards = {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()}
    assert admin.get(AUDIT, params=backwards).status_code == 422
    assert admin.get(AUDIT, params={"since": "yesterday"}).status_code == 422
    assert client_as("engineer").get(AUDIT).status_code == 403


def test_no_route_changes_or_removes_audit_rows(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    row = admin.get(AUDIT).json()["data"][0]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for path in (AUDIT, f"{AUDIT}/{row['id']}"):
            assert admin.request(method, path, json={}).status_code in {404, 405}


def test_the_database_refuses_to_change_or_delete_audit_rows(
    client_as: Callable[[str], TestClient], session_factory: Callable[[], Session],
) -> None:  # fmt: skip
    client_as("admin").get(AUDIT)  # signs in: at least one row exists
    attempts = [
        update(AuditEvent).values(action="nothing.happened"),
        update(AuditEvent).values(detail={}),
        update(AuditEvent).values(actor_username="someone-else"),
        delete(AuditEvent),
    ]
    for statement in attempts:
        with session_factory() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)
            session.commit()
    with session_factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"):
                session.execute(text("TRUNCATE audit_events"))
        else:
            assert session.scalar(select(AuditEvent.id).limit(1)) is not None


def test_deleting_a_user_keeps_their_audit_rows(
    client_as: Callable[[str], TestClient], session_factory: Callable[[], Session],
) -> None:  # fmt: skip
    admin = client_as("admin")
    body = {"username": "gone", "password": "a long passphrase for g", "role": "viewer"}
    user = admin.post("/api/v1/users", json=body).json()
    signin = admin.post(
        "/api/v1/auth/login", json={"username": "gone", "password": body["password"]}
    )
    assert signin.status_code == 200
    assert admin.delete(f"/api/v1/users/{user['id']}").status_code == 204
    with session_factory() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.actor_username == "gone")).all()
    assert rows and all(row.actor_id is None for row in rows)
