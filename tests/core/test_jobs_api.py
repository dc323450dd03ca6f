"""Plans and jobs over HTTP: plan, create (job + plan in one transaction), list, cancel,
retry, events, metrics, checkpoints, stream, and the adapter registered on success."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from tests.core.conftest import job_body, save_tiny_adapter

from easytune.api.state import app_state
from easytune.db import transaction
from easytune.db.models import EventLevel, Job, JobStatus
from easytune.i18n import render
from easytune.jobs import repository
from easytune.jobs.progress import MetricItem, parse_line
from easytune.jobs.queue import JobQueue, QueueConfig

S = JobStatus


def _queue(app: FastAPI) -> JobQueue:
    settings = app_state(app).settings
    return JobQueue(app_state(app).session_factory, QueueConfig.from_settings(settings))


def test_plan_explains_every_setting(client_as: Any, registered: dict[str, str]) -> None:
    body = {k: v for k, v in job_body(registered).items() if k != "name"}
    response = client_as("engineer").post("/api/v1/intent/plan", json=body)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["level"] == "L1" and plan["spec"]["lora"]["r"] >= 1
    assert plan["spec"]["data"]["train_path"].endswith("data.jsonl")
    assert plan["reasons"] and plan["estimate"]["seconds"] > 0


def test_plan_errors_name_the_field(client_as: Any, registered: dict[str, str]) -> None:
    engineer = client_as("engineer")
    bad = {k: v for k, v in job_body(registered).items() if k != "name"}
    bad["overrides"] = {"lora.r": 0, "nonsense": 1}
    response = engineer.post("/api/v1/intent/plan", json=bad)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_override"
    assert {e["param"] for e in error["errors"]} >= {"overrides.lora.r", "overrides.nonsense"}
    # Coded beside the English, for the UI to word in the reader's language.
    assert error["detail"]["code"] == "override.problems"
    nonsense = next(e for e in error["errors"] if e["param"] == "overrides.nonsense")
    assert nonsense["detail"]["code"].startswith("override.unknown")
    assert render(nonsense["detail"], "zh").startswith("未知设置")
    missing = {**bad, "overrides": {}, "dataset_id": "ds_nope"}
    assert engineer.post("/api/v1/intent/plan", json=missing).status_code == 404


def test_create_job_queues_it_with_the_plan(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    response = engineer.post("/api/v1/jobs", json=job_body(registered, priority=3))
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["status"] == "queued" and job["priority"] == 3
    assert (job["base_model_id"], job["dataset_id"]) == (registered["model"], registered["dataset"])
    assert job["spec"] == job["plan"]["spec"]
    assert engineer.get(f"/api/v1/jobs/{job['id']}").json()["name"] == "pirate"
    listed = engineer.get("/api/v1/jobs", params={"status": "queued"}).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == job["id"]
    assert engineer.get("/api/v1/jobs", params={"status": "running"}).json()["count"] == 0
    assert engineer.get("/api/v1/jobs", params={"name": "IRAT"}).json()["count"] == 1  # any case
    assert engineer.get("/api/v1/jobs", params={"name": "navy"}).json()["count"] == 0
    events = engineer.get(f"/api/v1/jobs/{job['id']}/events").json()["data"]
    assert events[0]["message"].startswith("job created")


def test_refused_plan_writes_no_job(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    body = job_body(registered, overrides={"train.learning_rate": -1})
    assert client_as("engineer").post("/api/v1/jobs", json=body).status_code == 422
    with transaction(app_state(app).session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_cancel_retry_and_conflicts(client_as: Any, registered: dict[str, str]) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    early_retry = engineer.post(f"/api/v1/jobs/{job['id']}/retry")
    assert early_retry.status_code == 409
    cancelled = engineer.post(f"/api/v1/jobs/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert engineer.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 409
    retried = engineer.post(f"/api/v1/jobs/{job['id']}/retry").json()
    assert retried["status"] == "queued" and retried["attempt"] == 2


def _metric(**values: Any) -> MetricItem:
    item = parse_line(json.dumps({"type": "metric", **values}))
    assert isinstance(item, MetricItem)
    return item


def _run_to_success(app: FastAPI, adapter_dir: Path | None) -> int:
    """Act as the worker: claim the job, record progress, write success."""
    queue = _queue(app)
    claim = queue.claim_next("test-worker/1")
    assert claim is not None
    metrics = [
        _metric(step=1, loss=2.5, lr=1e-4),
        _metric(step=2, loss=2.0),
        _metric(step=2, eval_loss=2.2, cf_score=0.01),
    ]
    queue.record(claim, [], metrics)
    result = {"steps": 2, "metrics": {"train_loss": 2.0}}
    if adapter_dir is not None:
        result["adapter_dir"] = str(adapter_dir)
    queue.finish(claim, S.SUCCEEDED, result=result)
    return claim.job_id


def test_success_registers_the_adapter_with_lineage(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path
) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])
    adapter = save_tiny_adapter(tiny_llama_dir, out / "adapter")
    (out / "cf_report.json").write_text(json.dumps({"history": [{"score": 0.01}]}))
    _run_to_success(app, adapter)
    done = engineer.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["status"] == "succeeded", done
    model = engineer.get(f"/api/v1/models/{done['result']['adapter_model_id']}").json()
    assert (model["kind"], model["name"], model["version"]) == ("adapter", "pirate", 1)
    assert model["base_model_id"] == registered["model"] and model["job_id"] == job["id"]
    dataset = engineer.get(f"/api/v1/datasets/{registered['dataset']}").json()
    assert model["dataset_sha256"] == dataset["sha256"]
    assert model["metrics"] == {"train_loss": 2.0} and model["cf_report"]["history"]
    assert model["spec"]["lora"] == job["spec"]["lora"]
    metrics = engineer.get(f"/api/v1/jobs/{job['id']}/metrics").json()["data"]
    assert [(m["step"], m["kind"]) for m in metrics] == [(1, "train"), (2, "eval"), (2, "train")]

    download = engineer.get(f"/api/v1/models/{model['id']}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = set(archive.namelist())
    assert {"pirate-v1/adapter_config.json", "pirate-v1/adapter_model.safetensors"} <= names

    events = engineer.get(f"/api/v1/jobs/{job['id']}/events").json()["data"]
    assert any(e["data"].get("adapter_model_id") == model["id"] for e in events)

    # The dataset may go; the adapter keeps its checksum, and its link becomes null.
    assert engineer.delete(f"/api/v1/datasets/{registered['dataset']}").status_code == 204
    kept = engineer.get(f"/api/v1/models/{model['id']}").json()
    assert kept["dataset_id"] is None and kept["dataset_sha256"] == dataset["sha256"]
    # The base model cannot go while an adapter trained on it exists.
    base_delete = client_as("admin").delete(f"/api/v1/models/{registered['model']}")
    assert base_delete.status_code == 409

    assert engineer.delete(f"/api/v1/models/{model['id']}").status_code == 204
    assert not adapter.exists()


def test_success_without_an_adapter_fails_the_job(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    _run_to_success(app, None)
    done = engineer.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["status"] == "failed" and done["error"]["code"] == "adapter_rejected"
    assert engineer.get("/api/v1/models", params={"kind": "adapter"}).json()["count"] == 0


def test_checkpoints_lists_complete_ones(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    assert engineer.get(f"/api/v1/jobs/{job['id']}/checkpoints").json() == {"data": []}
    claim = _queue(app).claim_next("test-worker/1")
    assert claim is not None
    root = claim.output_dir / "checkpoints"
    for step, complete in ((2, True), (4, True), (6, False)):  # step 6 is half written
        folder = root / f"step-{step:06d}"
        folder.mkdir(parents=True)
        (folder / "state.json").write_text(json.dumps({"step": step, "epoch": 0}))
        if complete:
            (folder / "COMPLETE").write_text("")
    listed = engineer.get(f"/api/v1/jobs/{job['id']}/checkpoints").json()["data"]
    assert [c["step"] for c in listed] == [2, 4] and listed[0]["size_bytes"] > 0


def _sse(text: str) -> list[tuple[str, str, dict[str, Any]]]:
    frames = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            frames.append((fields["id"], fields["event"], json.loads(fields["data"])))
    return frames


def test_stream_sends_events_and_metrics_then_end_and_resumes(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    with transaction(app_state(app).session_factory) as session:
        row = session.get(Job, job["id"])
        assert row is not None
        repository.add_event(session, row, EventLevel.WARN, "hello")
        repository.upsert_metrics(session, row.id, 1, [_metric(step=1, loss=1.5)])
    engineer.post(f"/api/v1/jobs/{job['id']}/cancel")
    url = f"/api/v1/jobs/{job['id']}/stream"
    response = engineer.get(url)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = _sse(response.text)
    kinds = [kind for _id, kind, _data in frames]
    assert kinds == ["event", "event", "event", "metric", "end"]
    assert frames[1][2]["message"] == "hello" and frames[3][2]["loss"] == 1.5
    assert frames[-1][2] == {"status": "cancelled"}
    resumed = _sse(engineer.get(url, headers={"Last-Event-ID": frames[1][0]}).text)
    assert [kind for _id, kind, _data in resumed] == ["event", "metric", "end"]
    assert resumed[0][2]["message"].startswith("cancel requested")


def test_an_adapter_with_a_non_latin_name_downloads_under_that_name(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path
) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered, name="海盗/../风格")).json()
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])
    _run_to_success(app, save_tiny_adapter(tiny_llama_dir, out / "adapter"))
    model_id = engineer.get(f"/api/v1/jobs/{job['id']}").json()["result"]["adapter_model_id"]
    download = engineer.get(f"/api/v1/models/{model_id}/download")
    assert download.status_code == 200, download.text
    disposition = download.headers["content-disposition"]
    assert f'filename="{model_id}-v1.zip"' in disposition  # nothing ASCII in the name: the id
    assert "filename*=UTF-8''%E6%B5%B7%E7%9B%97_.._%E9%A3%8E%E6%A0%BC-v1.zip" in disposition
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = archive.namelist()
    assert names and all(n.startswith(f"{model_id}-v1/") and n.count("/") == 1 for n in names)
