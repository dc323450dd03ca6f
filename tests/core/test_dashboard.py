"""GET /api/v1/dashboard and job progress: counts scoped per user, running jobs with their
progress, recent adapters, and the workers that announced themselves."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from tests.core.conftest import job_body

from easytune.api.state import app_state
from easytune.core import dashboard
from easytune.db import transaction, utcnow
from easytune.db.models import WorkerRecord
from easytune.jobs.progress import EventItem, MetricItem, SourcedEvent, parse_line
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.jobs.runner import command_runner
from easytune.jobs.worker import Worker, WorkerConfig


def _queue(app: FastAPI) -> JobQueue:
    return JobQueue(
        app_state(app).session_factory, QueueConfig.from_settings(app_state(app).settings)
    )


def _line(**record: Any) -> Any:
    return parse_line(json.dumps(record))


def _started(total: int, start: int = 0) -> SourcedEvent:
    data = {"total_steps": total, "start_step": start}
    item = _line(type="event", level="info", message="training started", data=data)
    assert isinstance(item, EventItem)
    return SourcedEvent(f"test:{total}:{start}", item)


def _train(step: int) -> MetricItem:
    item = _line(type="metric", step=step, loss=2.0 / step, epoch=step / 10)
    assert isinstance(item, MetricItem)
    return item


def test_dashboard_counts_progress_and_workers(
    client_as: Any, registered: dict[str, str], app: FastAPI, second_engineer: Any
) -> None:
    engineer = client_as("engineer")
    for name in ("first", "second"):
        assert (
            engineer.post("/api/v1/jobs", json=job_body(registered, name=name)).status_code == 201
        )
    queue = _queue(app)
    queue.beat("gpu-box:41", "local", 2)
    claim = queue.claim_next("gpu-box:41/slot-a")
    assert claim is not None
    queue.record(claim, [_started(10)], [_train(1), _train(2)])
    queue.record(claim, [], [_train(4), _train(3)])  # out of order: the newest step wins

    board = engineer.get("/api/v1/dashboard").json()
    assert board["jobs_by_status"]["queued"] == 1 and board["jobs_by_status"]["running"] == 1
    assert board["jobs_by_status"]["failed"] == 0  # every status is listed
    assert board["datasets"] == 1 and board["base_models"] == 1 and board["adapters"] == 0
    [running] = board["running_jobs"]
    progress = running["progress"]
    assert progress["step"] == 4 and progress["total_steps"] == 10
    assert progress["fraction"] == 0.4 and progress["epoch"] == 0.4
    assert progress["eta_s"] is None or progress["eta_s"] >= 0
    [worker] = board["workers"]
    assert worker["name"] == "gpu-box:41" and worker["hostname"] == "gpu-box"
    assert worker["slots"] == 2 and worker["busy"] == 1 and worker["online"] is True

    detail = engineer.get(f"/api/v1/jobs/{running['id']}").json()
    assert detail["progress"]["step"] == 4
    listed = engineer.get("/api/v1/jobs").json()["data"]
    assert {job["name"]: job["progress"] is None for job in listed} == {
        running["name"]: False,
        ({"first", "second"} - {running["name"]}).pop(): True,
    }

    other = second_engineer.get("/api/v1/dashboard").json()  # B sees none of A's jobs...
    assert sum(other["jobs_by_status"].values()) == 0 and other["running_jobs"] == []
    assert other["base_models"] == 1 and other["datasets"] == 0  # ...but the shared model
    admin = client_as("admin").get("/api/v1/dashboard").json()
    assert admin["jobs_by_status"]["queued"] == 1 and admin["datasets"] == 1


def test_a_resumed_attempt_restarts_progress_from_its_checkpoint(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    queue = _queue(app)
    claim = queue.claim_next("w:1/a")
    assert claim is not None
    queue.record(claim, [_started(8)], [_train(1), _train(2), _train(3)])
    queue.record(claim, [_started(8, start=2)], [])  # a resume from the step-2 checkpoint
    assert engineer.get(f"/api/v1/jobs/{job['id']}").json()["progress"]["step"] == 2


def test_workers_go_offline_when_quiet_or_stopped_and_drop_off_after_a_day(app: FastAPI) -> None:
    now = utcnow()
    rows = {"quiet:1": now - timedelta(minutes=2), "old:1": now - timedelta(days=2)}
    with transaction(app_state(app).session_factory) as session:
        for name, seen in rows.items():
            session.add(WorkerRecord(name=name, hostname=name[:-2], executor="celery", slots=1,
                                     started_at=seen, last_seen_at=seen))  # fmt: skip
    queue = _queue(app)
    queue.beat("done:1", "local", 1)
    queue.worker_stopped("done:1")
    with app_state(app).session_factory() as session:
        views = {view.name: view.online for view in dashboard.workers(session)}
    assert views == {"quiet:1": False, "done:1": False}


def test_a_real_worker_announces_itself_and_its_stop(app: FastAPI) -> None:
    queue = _queue(app)
    worker = Worker(queue, command_runner("true {spec}"), WorkerConfig(slots=3, name="host-x:7"))
    worker.run(burst=True)  # nothing queued: beats once, then stops
    with app_state(app).session_factory() as session:
        [view] = dashboard.workers(session)
    assert (view.name, view.slots, view.executor, view.online) == ("host-x:7", 3, "local", False)


H100 = {"device": "cuda", "gpu_count": 1, "gpu_memory_bytes": 80 * 2**30, "gpu_name": "H100",
        "bf16_supported": True, "host_memory_bytes": 256 * 2**30, "cpu_count": 32}  # fmt: skip
LAPTOP = {"device": "cpu", "host_memory_bytes": 16 * 2**30, "cpu_count": 4}


def test_jobs_are_planned_for_the_weakest_online_worker(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    body = {k: v for k, v in job_body(registered).items() if k != "name"}
    queue = _queue(app)
    queue.beat("gpu-box:1", "celery", 1, H100)
    on_gpu = engineer.post("/api/v1/intent/plan", json=body).json()
    assert on_gpu["spec"]["train"]["precision"] == "bf16", on_gpu["reasons"]
    queue.beat("laptop:2", "local", 1, LAPTOP)  # either may claim the job: plan for both
    on_both = engineer.post("/api/v1/intent/plan", json=body).json()
    assert on_both["spec"]["train"]["precision"] == "fp32", on_both["reasons"]
    queue.worker_stopped("laptop:2")
    again = engineer.post("/api/v1/intent/plan", json=body).json()
    assert again["spec"]["train"]["precision"] == "bf16"
