"""An engineer's trained adapter in the registry, and running export jobs for real."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from easytune.api.state import app_state
from easytune.db.models.jobs import JobStatus
from easytune.jobs.execution import JobExecution, RunConfig
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.jobs.runner import training_command

from .conftest import write_adapter

SRC = Path(__file__).resolve().parents[2] / "src"
CHILD_ENV = {"PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


def queue_of(app: FastAPI) -> JobQueue:
    return JobQueue(
        app_state(app).session_factory, QueueConfig.from_settings(app_state(app).settings)
    )


def trained_adapter(app: FastAPI, engineer: Any, base_id: str, dataset_id: str, base: Path) -> str:
    """A train job of the engineer, finished by hand with a real adapter: its model id."""
    body = {
        "name": "pirate", "base_model_id": base_id, "dataset_id": dataset_id,
        "intent": {"level": "L1", "description": "answer like a pirate"},
    }  # fmt: skip
    job = engineer.post("/api/v1/jobs", json=body)
    assert job.status_code == 201, job.text
    queue = queue_of(app)
    claim = queue.claim_next("test-worker/1")
    assert claim is not None and claim.kind == "train"
    adapter = write_adapter(base, claim.output_dir / "adapter")
    queue.finish(claim, JobStatus.SUCCEEDED, result={"adapter_dir": str(adapter)})
    result = engineer.get(f"/api/v1/jobs/{job.json()['id']}").json()["result"]
    return str(result["adapter_model_id"])


def run_next_job(app: FastAPI, **config: Any) -> str:
    """Claim the next queued job and run its real child to the end; the new status."""
    queue = queue_of(app)
    claim = queue.claim_next("test-worker/1")
    assert claim is not None
    run = RunConfig(heartbeat_seconds=0.5, child_env=CHILD_ENV, **config)
    return JobExecution(queue, claim, training_command, run).run()


def children_running(marker: str) -> list[int]:
    """Pids of processes whose command line holds `marker`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and "easytune.export" in cmdline:
            pids.append(int(entry.name))
    return pids


def kill_child_when(app: FastAPI, marker: str, ready: Any, timeout: float = 120) -> str:
    """Run the next job; SIGKILL its child once `ready()` holds; the status it ends in."""
    outcome: dict[str, str] = {}
    thread = threading.Thread(target=lambda: outcome.update(status=run_next_job(app)))
    thread.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not ready():
        time.sleep(0.2)
    for pid in children_running(marker):
        os.kill(pid, signal.SIGKILL)
    thread.join(timeout)
    return outcome["status"]
