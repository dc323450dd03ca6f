"""POST /api/v1/evaluations over HTTP: a queued job of kind `evaluation`, run by the real child
on the tiny models (two bases), streamed, cancelled, resumed after SIGKILL, owner-only."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.core.conftest import job_body, save_tiny_adapter
from tests.core.test_jobs_api import _run_to_success, _sse
from tests.export.api_helpers import run_next_job

from easytune.api.state import app_state

pytestmark = pytest.mark.slow
FAST = {"max_per_set": 1, "max_new_tokens": 4}
CHILD = "easytune.training.evaluation"


def _adapter(engineer: TestClient, app: FastAPI, ids: dict[str, str], tiny: Path) -> str:
    """A registered adapter of the engineer on the tiny base (a finished train job)."""
    job = engineer.post("/api/v1/jobs", json=job_body(ids)).json()
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])
    _run_to_success(app, save_tiny_adapter(tiny, out / "adapter"))
    return str(engineer.get(f"/api/v1/jobs/{job['id']}").json()["result"]["adapter_model_id"])


@pytest.fixture
def adapters(
    client_as: Callable[[str], TestClient], app: FastAPI, registered: dict[str, str],
    tiny_llama_dir: Path,
) -> list[str]:  # fmt: skip
    engineer = client_as("engineer")
    return [_adapter(engineer, app, registered, tiny_llama_dir) for _ in range(2)]


def _evaluate(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/evaluations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_evaluation_compares_models_of_two_bases_through_the_worker(
    client_as: Any, app: FastAPI, registered: dict[str, str], adapters: list[str],
    tiny_gpt2_dir: Path,
) -> None:  # fmt: skip
    admin, engineer = client_as("admin"), client_as("engineer")
    gpt2 = admin.post("/api/v1/models", json={"path": str(tiny_gpt2_dir), "name": "gpt"}).json()
    ids = [adapters[0], registered["model"], gpt2["id"], adapters[1]]
    job = _evaluate(engineer, model_ids=ids, dataset_id=registered["dataset"], **FAST)
    assert job["kind"] == "evaluation" and job["status"] == "queued"
    early = engineer.get(f"/api/v1/evaluations/{job['id']}")
    assert early.status_code == 409 and early.json()["error"]["code"] == "evaluation_not_ready"
    assert run_next_job(app) == "succeeded"
    done = engineer.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["progress"]["stage"] == "done" and done["progress"]["fraction"] == 1.0
    assert [m["model_id"] for m in done["result"]["models"]] == ids
    frames = _sse(engineer.get(f"/api/v1/jobs/{job['id']}/stream").text)
    messages = [data.get("message", "") for _id, kind, data in frames if kind == "event"]
    assert sum(m.startswith("answering") for m in messages) == 4  # two bases + two adapters
    assert frames[-1][1:] == ("end", {"status": "succeeded"})
    report = engineer.get(f"/api/v1/evaluations/{job['id']}").json()
    assert [m["model_id"] for m in report["models"]] == ids
    assert [m["kind"] for m in report["models"]] == ["adapter", "base", "base", "adapter"]
    assert report["items"] == 5 + 1 and report["held_out"] == 1  # one probe a set, one held out
    first, base, other, second = (m["report"] for m in report["models"])
    base_answers = [item["tuned_answer"] for item in base["items"]]
    assert base_answers == [item["base_answer"] for item in base["items"]]  # judged vs itself
    for adapter in (first, second):  # each adapter is judged against its own base's answers
        assert [item["base_answer"] for item in adapter["items"]] == base_answers
    assert [item["base_answer"] for item in other["items"]] != base_answers  # its own base
    learned = next(item for item in first["items"] if item["set"] == "learned")
    assert learned["reference"] and learned["reference"][0].startswith("Arr, answer")


def test_bad_requests_name_the_field(
    client_as: Any, registered: dict[str, str], adapters: list[str],
    second_engineer: TestClient, upload: Callable[..., Any],
) -> None:  # fmt: skip
    engineer = client_as("engineer")
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"model_ids": ["mdl_nope"]}, 404, "model_ids"),
        ({"model_ids": []}, 422, "model_ids"),
        ({"model_ids": [adapters[0], adapters[0]]}, 422, "model_ids"),
        ({"model_ids": [adapters[0]], "probes": "mine"}, 422, "probes"),
        ({"model_ids": [adapters[0]], "dataset_id": "ds_nope"}, 404, "dataset_id"),
        ({"model_ids": [adapters[0]], "max_per_set": 0}, 422, "max_per_set"),
    ]
    for body, code, param in cases:
        response = engineer.post("/api/v1/evaluations", json=body)
        assert response.status_code == code, (body, response.text)
        assert param in str(response.json()["error"]["param"]), (body, response.text)
    text = upload(content=b"plain words one\nplain words two\n", filename="t.txt", format="text")
    assert text.status_code == 201, text.text
    body = {"model_ids": [adapters[0]], "dataset_id": text.json()["id"]}
    plain = engineer.post("/api/v1/evaluations", json=body)
    assert plain.status_code == 422 and "plain text" in plain.json()["error"]["message"]
    foreign = second_engineer.post("/api/v1/evaluations", json={"model_ids": [adapters[0]]})
    assert foreign.status_code == 404 and foreign.json()["error"]["param"] == "model_ids"
    viewer = client_as("viewer").post("/api/v1/evaluations", json={"model_ids": adapters})
    assert viewer.status_code == 403


def test_another_users_evaluation_is_404_and_a_train_job_is_not_an_evaluation(
    client_as: Any, app: FastAPI, adapters: list[str], second_engineer: TestClient
) -> None:
    engineer = client_as("engineer")
    job = _evaluate(engineer, model_ids=adapters[:1], **FAST)
    assert run_next_job(app) == "succeeded"
    for method, url in [
        ("GET", f"/api/v1/evaluations/{job['id']}"),
        ("GET", f"/api/v1/jobs/{job['id']}"),
        ("GET", f"/api/v1/jobs/{job['id']}/stream"),
        ("POST", f"/api/v1/jobs/{job['id']}/cancel"),
        ("POST", f"/api/v1/jobs/{job['id']}/retry"),
    ]:
        response = second_engineer.request(method, url)
        assert response.status_code == 404, (method, url, response.text)
    assert client_as("admin").get(f"/api/v1/evaluations/{job['id']}").status_code == 200
    train_job = engineer.get("/api/v1/jobs").json()["data"][-1]
    assert train_job["kind"] == "train"
    wrong = engineer.get(f"/api/v1/evaluations/{train_job['id']}")
    assert wrong.status_code == 404 and "/evaluation" in wrong.json()["error"]["message"]


def _in_background(app: FastAPI) -> tuple[threading.Thread, dict[str, str]]:
    outcome: dict[str, str] = {}
    thread = threading.Thread(target=lambda: outcome.update(status=run_next_job(app)))
    thread.start()
    return thread, outcome


def _wait_for(ready: Callable[[], bool], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _answering(out: Path) -> Callable[[], bool]:
    def ready() -> bool:
        progress = out / "progress.jsonl"
        return progress.is_file() and '"stage": "answer"' in progress.read_text()

    return ready


def test_a_running_evaluation_is_cancelled_and_retried(
    client_as: Any, app: FastAPI, adapters: list[str]
) -> None:
    engineer = client_as("engineer")
    job = _evaluate(engineer, model_ids=adapters, max_new_tokens=64)  # every probe: a while
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])
    thread, outcome = _in_background(app)
    _wait_for(_answering(out))
    cancel = engineer.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelling"
    thread.join(180)
    assert outcome["status"] == "cancelled"
    assert engineer.get(f"/api/v1/evaluations/{job['id']}").status_code == 409
    frames = _sse(engineer.get(f"/api/v1/jobs/{job['id']}/stream").text)
    assert frames[-1][1:] == ("end", {"status": "cancelled"})
    retried = engineer.post(f"/api/v1/jobs/{job['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"


def _children(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if entry.name.isdigit() and marker in cmdline and CHILD in cmdline:
            pids.append(int(entry.name))
    return pids


def test_an_evaluation_killed_mid_way_resumes_with_the_answers_it_had(
    client_as: Any, app: FastAPI, adapters: list[str]
) -> None:
    engineer = client_as("engineer")
    job = _evaluate(engineer, model_ids=adapters, max_per_set=4, max_new_tokens=32)
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])
    thread, outcome = _in_background(app)
    _wait_for((out / "answers" / "base-0.json").is_file)
    for pid in _children(str(out)):
        os.kill(pid, signal.SIGKILL)
    thread.join(180)
    assert outcome["status"] == "queued"  # SIGKILL: attempt 2 queued
    assert engineer.get(f"/api/v1/jobs/{job['id']}").json()["attempt"] == 2
    assert run_next_job(app) == "succeeded"
    events = engineer.get(f"/api/v1/jobs/{job['id']}/events").json()["data"]
    assert any("kept from the interrupted attempt" in e["message"] for e in events)
    report = engineer.get(f"/api/v1/evaluations/{job['id']}").json()
    assert [m["model_id"] for m in report["models"]] == adapters
    assert all(len(m["report"]["items"]) == report["items"] for m in report["models"])
