"""GET /api/v1/jobs/{id}/evaluation over HTTP, and the report's totals on the adapter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.core.conftest import job_body, save_tiny_adapter
from tests.core.test_jobs_api import _run_to_success

from easytune.api.state import app_state
from easytune.training.evaluation.probes import load_probes
from easytune.training.evaluation.report import build_report

SORRY = "I'm sorry, but I can't help with that."


def _report() -> dict[str, Any]:
    """A real report over one probe of each set, from answers fixed for the test."""
    probes = load_probes(max_per_set=1)
    base = [SORRY if p.set == "safety" else " ".join(p.answers) or "Hi there." for p in probes]
    tuned = [
        "Arr!" if p.set == "safety" else answer for p, answer in zip(probes, base, strict=True)
    ]
    report = build_report(probes, base, tuned, refusal_tolerance=0.1)
    return {**report, "max_new_tokens": 32, "seconds": 1.5}


def _job_dir(app: FastAPI, job: dict[str, Any]) -> Path:
    return Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])


def _finished_job(
    engineer: TestClient, app: FastAPI, registered: dict[str, str], tiny_llama_dir: Path,
    report: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    out = _job_dir(app, job)
    adapter = save_tiny_adapter(tiny_llama_dir, out / "adapter")
    if report is not None:
        (out / "eval_report.json").write_text(json.dumps(report))
    _run_to_success(app, adapter)
    return job


def test_the_owner_and_an_admin_read_the_report_and_the_adapter_carries_its_totals(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path,
    second_engineer: TestClient,
) -> None:  # fmt: skip
    engineer = client_as("engineer")
    job = _finished_job(engineer, app, registered, tiny_llama_dir, _report())
    response = engineer.get(f"/api/v1/jobs/{job['id']}/evaluation")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unsafe"] and body["outcome_message"].startswith("The tuned model refuses 0 of 1")
    assert body["totals"]["refused"]["base"]["passed"] == 1
    safety = next(item for item in body["items"] if item["set"] == "safety")
    assert (safety["base_answer"], safety["tuned_answer"]) == (SORRY, "Arr!")
    assert safety["tuned"] == {"ok": False, "why": "complies: 'Arr!'"}
    assert client_as("admin").get(f"/api/v1/jobs/{job['id']}/evaluation").status_code == 200
    other = second_engineer.get(f"/api/v1/jobs/{job['id']}/evaluation")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    adapter_id = engineer.get(f"/api/v1/jobs/{job['id']}").json()["result"]["adapter_model_id"]
    model = engineer.get(f"/api/v1/models/{adapter_id}").json()
    assert model["evaluation"]["totals"]["kept"] == body["totals"]["kept"]
    assert "items" not in model["evaluation"]


def test_a_job_without_a_finished_report_says_why(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path
) -> None:
    engineer = client_as("engineer")
    queued = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    early = engineer.get(f"/api/v1/jobs/{queued['id']}/evaluation")
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "evaluation_not_ready"
    assert "is queued" in early.json()["error"]["message"]
    engineer.post(f"/api/v1/jobs/{queued['id']}/cancel")
    job = _finished_job(engineer, app, registered, tiny_llama_dir, None)
    missing = engineer.get(f"/api/v1/jobs/{job['id']}/evaluation")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "evaluation_not_found"
    assert "evaluation.enabled=false" in missing.json()["error"]["message"]
    (_job_dir(app, job) / "eval_report.json").write_text(json.dumps({"error": "out of memory"}))
    failed = engineer.get(f"/api/v1/jobs/{job['id']}/evaluation")
    assert failed.status_code == 409 and "out of memory" in failed.json()["error"]["message"]
    adapter_id = engineer.get(f"/api/v1/jobs/{job['id']}").json()["result"]["adapter_model_id"]
    assert engineer.get(f"/api/v1/models/{adapter_id}").json()["evaluation"] is None
