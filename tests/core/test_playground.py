"""Playground over HTTP: a base model, an adapter next to its base, streamed tokens."""
# mypy: disable-error-code="attr-defined"
# The playground stream is a generator; close() ends it as a disconnect does.

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from tests.core.conftest import job_body, save_tiny_adapter

from easytune.api.state import app_state
from easytune.core import playground
from easytune.core.inference import GenerationRequest
from easytune.db.models import User
from easytune.db.models.jobs import JobStatus
from easytune.jobs.queue import JobQueue, QueueConfig

MESSAGES = [{"role": "user", "content": "Write a short poem about the sea."}]


@pytest.fixture
def adapter_id(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path
) -> str:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered)).json()
    queue = JobQueue(
        app_state(app).session_factory, QueueConfig.from_settings(app_state(app).settings)
    )
    claim = queue.claim_next("test-worker/1")
    assert claim is not None
    adapter = save_tiny_adapter(tiny_llama_dir, claim.output_dir / "adapter")
    queue.finish(claim, JobStatus.SUCCEEDED, result={"adapter_dir": str(adapter)})
    model_id: str = engineer.get(f"/api/v1/jobs/{job['id']}").json()["result"]["adapter_model_id"]
    return model_id


def _generate(client: Any, model_id: str, **extra: Any) -> Any:
    body = {"model_id": model_id, "messages": MESSAGES, "max_new_tokens": 12, **extra}
    return client.post("/api/v1/playground/generate", json=body)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_adapter_answer_differs_from_base_and_streams(
    client_as: Any, registered: dict[str, str], adapter_id: str
) -> None:
    engineer = client_as("engineer")
    base = _generate(engineer, registered["model"])
    assert base.status_code == 200, base.text
    base_answer = base.json()["answer"]
    assert base_answer and base.json()["base_answer"] is None
    both = _generate(engineer, adapter_id, compare_base=True).json()
    assert both["model_id"] == adapter_id
    assert both["base_answer"] == base_answer  # greedy: the base answer is reproducible
    assert both["answer"] != base_answer  # the adapter changes what the model says
    streamed = _generate(engineer, adapter_id, compare_base=True, stream=True)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    frames = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("data: ", 1)[1]))
        for block in streamed.text.strip().split("\n\n")
    ]
    tokens = [data for kind, data in frames if kind == "token"]
    assert {t["which"] for t in tokens} == {"model", "base"}
    assert "".join(t["text"] for t in tokens if t["which"] == "model") == both["answer"]
    assert frames[-1] == ("done", both)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_playground_refusals(client_as: Any, second_engineer: Any, adapter_id: str) -> None:
    assert _generate(second_engineer, adapter_id).status_code == 404  # not theirs
    assert _generate(client_as("viewer"), adapter_id).status_code == 403
    empty = client_as("engineer").post(
        "/api/v1/playground/generate", json={"model_id": adapter_id, "messages": []}
    )
    assert empty.status_code == 422


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_generation_stops_when_the_reader_goes_away(adapter_id: str, app: FastAPI) -> None:
    with app_state(app).session_factory() as session:
        user = session.scalars(select(User).where(User.username == "engineer1")).one()
        target = playground.target_for(session, user, adapter_id)
    cache = app_state(app).inference
    request = GenerationRequest(MESSAGES, max_new_tokens=400)
    frames = playground.stream(cache, target, request, compare_base=True)
    first = next(frames)
    assert first.startswith("event: token")
    request.stop.set()  # what the route does when the client disconnects
    rest = list(frames)
    assert not [f for f in rest if '"which": "base"' in f]  # the base pass never started
    assert not [f for f in rest if f.startswith("event: done")]
    assert len(rest) < 100, "generation went on after the stop"

    # A reader that just stops reading (the generator is closed) ends generation too, and the
    # model's lock is free at once for the next request.
    frames = playground.stream(cache, target, GenerationRequest(MESSAGES, max_new_tokens=400),
                               compare_base=True)  # fmt: skip
    next(frames)
    frames.close()
    [loaded] = cache._bases.values()
    assert loaded.lock.acquire(blocking=False)
    loaded.lock.release()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_prompts_are_capped_and_generations_bounded_per_user(
    client_as: Any, registered: dict[str, str], app: FastAPI
) -> None:
    engineer = client_as("engineer")
    long = [{"role": "user", "content": "word " * 6000}]
    body = {"model_id": registered["model"], "messages": long, "max_new_tokens": 4}
    refused = engineer.post("/api/v1/playground/generate", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "messages"
    with app_state(app).session_factory() as session:
        user_id = session.scalars(select(User.id).where(User.username == "engineer1")).one()
    held = [app_state(app).generations.acquire(user_id) for _ in range(2)]  # two answers running
    busy = _generate(engineer, registered["model"])
    assert busy.status_code == 429 and busy.json()["error"]["code"] == "too_many_generations"
    assert int(busy.headers["Retry-After"]) >= 1
    for release in held:
        release()
    assert _generate(engineer, registered["model"], max_new_tokens=2).status_code == 200


def test_an_answer_cut_at_max_new_tokens_says_so(client_as: Any, adapter_id: str) -> None:
    engineer = client_as("engineer")
    cut = _generate(engineer, adapter_id, compare_base=True, max_new_tokens=3).json()
    assert (cut["finish_reason"], cut["base_finish_reason"]) == ("length", "length")
    streamed = _generate(engineer, adapter_id, max_new_tokens=3, stream=True).text
    done = json.loads(streamed.strip().split("\n\n")[-1].split("data: ", 1)[1])
    assert done["finish_reason"] == "length" and done["base_finish_reason"] is None
