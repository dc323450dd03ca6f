"""End to end over HTTP: sign in, upload, plan, create, the embedded local worker trains the tiny
model for real, the adapter is registered, downloaded, loaded with plain PEFT, and answers
differently from its base in the playground."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.core.conftest import CHAT, jsonl

from easytune.api import create_app
from easytune.i18n import render
from easytune.settings import Settings
from easytune.testing.fixtures import create_user_row, login_headers, platform_settings_for
from easytune.training.evaluation.probes import load_probes

BROKER = "redis://127.0.0.1:6379/0"
SRC = Path(__file__).resolve().parents[2] / "src"
OVERRIDES = {
    "train.max_steps": 6,
    "train.learning_rate": 0.05,  # big steps: a few of them visibly change greedy answers
    "data.max_length": 64,
    "train.batch_size": 2,
    "cf.max_items": 4,
}


def _wait(client: TestClient, job_id: int, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in {"succeeded", "failed", "cancelled"}:
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_upload_plan_train_download_and_play(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(SRC))  # the training child imports this checkout
    settings = platform_settings_for(
        db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir), embedded_worker=True,
        **FAST_JOBS,
    )  # fmt: skip
    with TestClient(create_app(settings)) as anonymous:
        _flow(anonymous, tiny_llama_dir, tmp_path)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_same_on_postgresql_with_celery_over_redis(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path
) -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis at {BROKER} unreachable: {exc}")
    queue = f"easytune-e2e-{uuid.uuid4().hex[:10]}"
    settings = platform_settings_for(
        db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir), executor="celery",
        broker_url=BROKER, celery_queue=queue, **FAST_JOBS,
    )  # fmt: skip
    with (
        _celery_worker(settings, tmp_path / "celery.log"),
        TestClient(create_app(settings)) as anonymous,
    ):
        _flow(anonymous, tiny_llama_dir, tmp_path)


FAST_JOBS: dict[str, Any] = {
    "job_poll_seconds": 0.2,
    "job_heartbeat_seconds": 1.0,
    "job_lease_seconds": 30.0,
}


@contextmanager
def _celery_worker(settings: Settings, log_path: Path) -> Iterator[None]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "EASYTUNE_DATABASE_URL": settings.database_url,
        "EASYTUNE_DATA_DIR": str(settings.data_dir),
        "EASYTUNE_SECRET_KEY": settings.secret(),
        "EASYTUNE_EXECUTOR": "celery",
        "EASYTUNE_BROKER_URL": BROKER,
        "EASYTUNE_CELERY_QUEUE": settings.celery_queue,
        "EASYTUNE_JOB_HEARTBEAT_SECONDS": "1",
        "EASYTUNE_LOG_JSON": "false",
    }
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "easytune.jobs.celery_worker", "worker",
             "--pool=solo", "-Q", settings.celery_queue, "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            yield
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                redis.Redis.from_url(BROKER).delete(settings.celery_queue)


def _flow(anonymous: TestClient, tiny_llama_dir: Path, tmp_path: Path) -> None:
    """Admin registers the base model; alice uploads, plans, trains, downloads and plays."""
    admin = TestClient(anonymous.app, headers=login_headers(anonymous, "admin"))
    base = admin.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"})
    assert base.status_code == 201, base.text
    create_user_row(anonymous.app, "alice", "engineer")  # type: ignore[arg-type]
    alice = TestClient(anonymous.app, headers=login_headers(anonymous, "alice"))
    dataset = alice.post(
        "/api/v1/datasets", files={"file": ("chat.jsonl", jsonl(CHAT * 4))},
        data={"name": "chat"},
    )  # fmt: skip
    assert dataset.status_code == 201, dataset.text
    request = {
        "base_model_id": base.json()["id"], "dataset_id": dataset.json()["id"],
        "intent": {"level": "L1", "description": ""}, "overrides": OVERRIDES,
    }  # fmt: skip
    plan = alice.post("/api/v1/intent/plan", json=request)
    assert plan.status_code == 200, plan.text
    job = alice.post("/api/v1/jobs", json={**request, "name": "e2e"})
    assert job.status_code == 201, job.text
    done = _wait(alice, job.json()["id"])
    events = alice.get(f"/api/v1/jobs/{done['id']}/events").json()["data"]
    assert done["status"] == "succeeded", (done["error"], [e["message"] for e in events])
    metrics = alice.get(f"/api/v1/jobs/{done['id']}/metrics").json()["data"]
    assert any(m["loss"] is not None for m in metrics)
    # The worker kept the job's progress from the child's lines: the real total, all done.
    steps = max(m["step"] for m in metrics if m["kind"] == "train")
    assert done["progress"]["step"] == done["progress"]["total_steps"] == steps
    assert done["progress"]["fraction"] == 1.0

    # The before/after report of the real run, and its totals on the adapter.
    report = alice.get(f"/api/v1/jobs/{done['id']}/evaluation")
    assert report.status_code == 200, report.text
    items = report.json()["items"]
    # every planned probe; no held-out example: the data repeats each chat, and the split
    # never puts a copy of a training example on the evaluation side
    cap = done["spec"]["evaluation"]["max_per_set"]
    assert len(items) == len(load_probes(max_per_set=cap)) and all(
        item["set"] != "learned" for item in items
    )
    assert all(item["base"]["why"] and item["tuned"]["why"] for item in items)
    assert any(e["message"] == "evaluation finished" for e in events)

    adapter_id = done["result"]["adapter_model_id"]
    adapter = alice.get(f"/api/v1/models/{adapter_id}").json()
    assert adapter["evaluation"]["totals"] == report.json()["totals"]
    # Retention ran: the replay set was generated into the platform's shared cache, and the
    # job and its adapter say which step was kept and how the run ended.
    assert plan.json()["spec"]["retain"]["enabled"] is True
    assert any(e["message"].startswith("replay generated in") for e in events)
    assert list((tmp_path / "data" / "cache" / "replay").glob("replay-*.json"))
    assert done["outcome"] in ("ok", "forgot") and done["outcome_message"]
    assert render(done["outcome_detail"], "en") == done["outcome_message"]
    assert render(done["outcome_detail"], "zh").startswith("学到的")
    assert done["chosen_step"] == done["result"]["selection"]["step"] >= 1
    assert (adapter["outcome"], adapter["outcome_message"], adapter["outcome_detail"]) == (
        done["outcome"],
        done["outcome_message"],
        done["outcome_detail"],
    )
    assert adapter["base_model_id"] == base.json()["id"]
    assert adapter["dataset_sha256"] == dataset.json()["sha256"]
    download = alice.get(f"/api/v1/models/{adapter_id}/download")
    assert download.status_code == 200
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(io.BytesIO(download.content)).extractall(folder)
    _load_with_peft(tiny_llama_dir, folder / "e2e-v1")

    answer = alice.post(
        "/api/v1/playground/generate",
        json={"model_id": adapter_id, "compare_base": True, "max_new_tokens": 12,
              "messages": [{"role": "user", "content": "question 1"}]},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["answer"] != answer.json()["base_answer"]


def _load_with_peft(base_dir: Path, adapter_dir: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir)
    model = PeftModel.from_pretrained(base, adapter_dir)
    lora = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert lora and any(bool(torch.count_nonzero(p)) for p in lora)  # it was trained
