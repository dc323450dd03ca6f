"""Reliability with real processes: a SIGKILLed worker and a restarted API do not lose or
duplicate training work. The API (`easytune serve --no-worker`) and the workers are
subprocesses on one SQLite database; the tiny Llama trains for real."""

from __future__ import annotations

import math
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from safetensors.torch import load_file
from tests.core.conftest import CHAT, jsonl
from tests.core.processes import Platform, job_in, train_steps, wait_for

MAX_STEPS = 40
# The API restart must land mid-run: enough steps that a fast (label-only loss) tiny run is
# still training while a new API process starts on a busy machine.
RESTART_STEPS = 150
OVERRIDES = {
    "train.max_steps": MAX_STEPS,
    "train.save_every_steps": 5,
    "train.batch_size": 2,
    "data.max_length": 64,
    "data.eval_fraction": 0.0,
    # the forgetting monitor, replay and the evaluation report are not what these tests are
    # about (they run elsewhere); without them the run is the training that is killed
    "cf.enabled": False,
    "retain.enabled": False,
    "evaluation.enabled": False,
}


@pytest.fixture
def platform(tmp_path: Path, tiny_llama_dir: Path) -> Iterator[Platform]:
    db_url = f"sqlite:///{tmp_path / 'data' / 'easytune.db'}"
    running = Platform(db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir))
    try:
        yield running
    finally:
        running.stop_all()


def _create_job(client: httpx.Client, tiny_llama_dir: Path, steps: int = MAX_STEPS) -> int:
    """Register the tiny base, upload a chat set and create a training job; returns its id."""
    base = client.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"})
    assert base.status_code == 201, base.text
    files = {"file": ("chat.jsonl", jsonl(CHAT * 4))}
    dataset = client.post("/api/v1/datasets", files=files, data={"name": "chat"})
    assert dataset.status_code == 201, dataset.text
    body = {
        "name": "reliable", "base_model_id": base.json()["id"],
        "dataset_id": dataset.json()["id"],
        "overrides": {**OVERRIDES, "train.max_steps": steps},
        "intent": {"level": "L1", "description": ""},
    }  # fmt: skip
    job = client.post("/api/v1/jobs", json=body)
    assert job.status_code == 201, job.text
    job_id: int = job.json()["id"]
    return job_id


def _wait_done(platform: Platform, client: httpx.Client, job_id: int) -> dict[str, Any]:
    done: dict[str, Any] = wait_for(
        lambda: job_in(client, job_id, {"succeeded", "failed", "cancelled"}), 240,
        f"job {job_id} did not finish\n{platform.logs()}", every=0.5,
    )  # fmt: skip
    events = client.get(f"/api/v1/jobs/{job_id}/events").json()["data"]
    assert done["status"] == "succeeded", (done["error"], [e["message"] for e in events])
    return done


def _assert_every_step_once(client: httpx.Client, job_id: int, total: int = MAX_STEPS) -> None:
    steps = train_steps(client, job_id)
    assert sorted(steps) == list(range(1, total + 1)), steps


@pytest.mark.slow
def test_sigkill_worker_mid_training_resumes_with_one_intact_adapter(
    platform: Platform, tiny_llama_dir: Path
) -> None:
    platform.start_api()
    client = platform.client()
    job_id = _create_job(client, tiny_llama_dir)
    first = platform.start_worker()
    wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}/checkpoints").json()["data"], 60,
        f"no checkpoint appeared\n{platform.logs()}",
    )  # fmt: skip
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert job_in(client, job_id, {"running"}), "the job ended before the worker was killed"

    platform.start_worker()
    done = _wait_done(platform, client, job_id)

    assert done["attempt"] == 2
    events = client.get(f"/api/v1/jobs/{job_id}/events").json()["data"]
    resumed = [e for e in events if e["message"].startswith("resumed from checkpoint")]
    assert resumed and resumed[0]["data"]["step"] > 0, [e["message"] for e in events]
    _assert_every_step_once(client, job_id)
    _assert_one_finite_adapter(platform, client, job_id, done)


def _assert_one_finite_adapter(
    platform: Platform, client: httpx.Client, job_id: int, done: dict[str, Any]
) -> None:
    adapters = client.get("/api/v1/models", params={"kind": "adapter", "limit": 500}).json()
    mine = [m for m in adapters["data"] if m["job_id"] == job_id]
    assert [m["id"] for m in mine] == [done["result"]["adapter_model_id"]]
    found = list(platform.data_dir.rglob("adapter_model.safetensors"))
    registered = [p for p in found if "checkpoint" not in str(p.relative_to(platform.data_dir))]
    assert len(registered) == 1, found
    tensors = load_file(registered[0])
    assert tensors and all(
        math.isfinite(v) for t in tensors.values() for v in t.float().flatten().tolist()
    )


@pytest.mark.slow
def test_api_restart_during_training_loses_no_metric(
    platform: Platform, tiny_llama_dir: Path
) -> None:
    api = platform.start_api()
    client = platform.client()
    job_id = _create_job(client, tiny_llama_dir, RESTART_STEPS)
    platform.start_worker()
    wait_for(lambda: job_in(client, job_id, {"running"}), 60, f"not running\n{platform.logs()}")

    api.send_signal(signal.SIGTERM)
    assert api.wait(timeout=30) is not None
    mid_run = platform.start_api()
    assert mid_run.poll() is None
    client = platform.client()
    steps_at_restart = train_steps(client, job_id)
    assert len(steps_at_restart) < RESTART_STEPS, "training ended before the API came back"
    done = _wait_done(platform, client, job_id)

    assert done["attempt"] == 1
    _assert_every_step_once(client, job_id, RESTART_STEPS)
    events = client.get(f"/api/v1/jobs/{job_id}/events").json()["data"]
    assert not [e for e in events if "requeue" in e["message"].lower()], events
