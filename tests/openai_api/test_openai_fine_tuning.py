"""The OpenAI-compatible fine-tuning API through the official `openai` package: files map to
datasets, jobs to platform jobs planned at level auto; end to end with a real worker."""
# mypy: disable-error-code="arg-type"
# A plain dict for `method`, as users write it; the SDK declares a TypedDict.

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from openai import OpenAI
from tests.core.conftest import CHAT, jsonl
from tests.core.test_e2e import FAST_JOBS, SRC
from tests.openai_api.conftest import add_adapter
from tests.openai_api.test_openai_inference import sdk

from easytune.settings import Settings
from easytune.testing.fixtures import create_user_row, platform_settings_for
from easytune.testing.live_server import LiveServer, serve

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _upload(client: OpenAI, content: bytes = b"", name: str = "train.jsonl") -> str:
    created = client.files.create(
        file=(name, io.BytesIO(content or jsonl(CHAT))), purpose="fine-tune"
    )
    return created.id


def test_files_are_validated_datasets(live: LiveServer) -> None:
    client = sdk(live)
    file_id = _upload(client)
    assert file_id.startswith("file-ds_")
    shown = client.files.retrieve(file_id)
    assert shown.filename == "train.jsonl" and shown.purpose == "fine-tune" and shown.bytes > 0
    with live.client("engineer1") as rest:  # the same dataset through the REST API
        assert rest.get(f"/api/v1/datasets/{file_id.removeprefix('file-')}").status_code == 200
    bad = b'{"messages": [{"role": "user", "content": "hi"}]}\n{"oops": 1}\n'
    with pytest.raises(openai.BadRequestError) as invalid:
        _upload(client, bad)
    assert "line 2" in invalid.value.message and invalid.value.param.startswith("file.line.")  # type: ignore[union-attr]
    with pytest.raises(openai.BadRequestError) as purpose:
        client.files.create(file=("a.jsonl", io.BytesIO(jsonl(CHAT))), purpose="assistants")
    assert purpose.value.param == "purpose"
    second = _upload(client, name="more.jsonl")
    page = client.files.list(extra_query={"limit": 1})
    assert [f.id for f in page.data] == [second] and page.has_more
    with pytest.raises(openai.NotFoundError):
        sdk(live, "engineer2").files.retrieve(file_id)  # private to engineer1
    assert client.files.delete(file_id).deleted
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(file_id)


def test_jobs_create_list_cancel_and_refusals(live: LiveServer, tiny_llama_dir: Path) -> None:
    adapter = add_adapter(live, "engineer1", "poet", tiny_llama_dir)  # first: it claims a job
    client = sdk(live)
    train = _upload(client)
    hyper = {"n_epochs": 2, "batch_size": 2, "learning_rate_multiplier": 2.0}
    job = client.fine_tuning.jobs.create(
        model="tiny", training_file=train, validation_file=train, suffix="pirate", seed=7,
        method={"type": "supervised", "supervised": {"hyperparameters": hyper}},
    )  # fmt: skip
    assert job.status == "queued" and job.model == "tiny" and job.training_file == train
    assert job.validation_file == train and job.seed == 7 and job.fine_tuned_model is None
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == 2
    assert job.hyperparameters.learning_rate_multiplier == 2.0
    with live.client("engineer1") as rest:
        spec = rest.get(f"/api/v1/jobs/{job.id.removeprefix('ftjob-')}").json()["spec"]
    auto = client.fine_tuning.jobs.create(model="tiny", training_file=train,
                                          hyperparameters={"n_epochs": 2})  # fmt: skip
    with live.client("engineer1") as rest:
        auto_spec = rest.get(f"/api/v1/jobs/{auto.id.removeprefix('ftjob-')}").json()["spec"]
    assert spec["train"]["learning_rate"] == pytest.approx(2 * auto_spec["train"]["learning_rate"])
    assert spec["data"]["eval_path"] and auto_spec["data"]["eval_path"] is None

    page = client.fine_tuning.jobs.list(limit=1)
    assert [j.id for j in page.data] == [auto.id] and page.has_more
    older = [j.id for j in client.fine_tuning.jobs.list(limit=1, after=auto.id).data]
    assert older == [job.id]
    events = client.fine_tuning.jobs.list_events(job.id).data
    assert [e.message for e in events][-2:] == [  # newest first
        "created through the OpenAI-compatible API", "job created (queued)"]  # fmt: skip
    assert events[-2].data["hyperparameters"] == hyper  # type: ignore[index]
    assert client.fine_tuning.jobs.cancel(job.id).status == "cancelled"
    assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    assert client.fine_tuning.jobs.checkpoints.list(job.id).data == []

    with pytest.raises(openai.BadRequestError) as reinforcement:
        client.fine_tuning.jobs.create(model="tiny", training_file=train,
                                       method={"type": "reinforcement"})  # fmt: skip
    assert reinforcement.value.param == "method.type" and "dpo" in reinforcement.value.message
    with pytest.raises(openai.BadRequestError) as chats:  # dpo needs pairs
        client.fine_tuning.jobs.create(model="tiny", training_file=train, method={"type": "dpo"})
    assert chats.value.param == "intent.level" and "preference pairs" in chats.value.message
    with pytest.raises(openai.NotFoundError) as missing:
        client.fine_tuning.jobs.create(model="tiny", training_file="file-ds_nothing")
    assert missing.value.param == "training_file"
    with pytest.raises(openai.NotFoundError) as model:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train)
    assert model.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as tuned:
        client.fine_tuning.jobs.create(model=adapter, training_file=train)
    assert tuned.value.param == "model"
    with pytest.raises(openai.BadRequestError) as epochs:
        client.fine_tuning.jobs.create(model="tiny", training_file=train,
                                       hyperparameters={"n_epochs": 0})  # fmt: skip
    assert epochs.value.param == "hyperparameters.n_epochs"
    with pytest.raises(openai.NotFoundError):
        sdk(live, "engineer2").fine_tuning.jobs.retrieve(job.id)
    with pytest.raises(openai.PermissionDeniedError):
        sdk(live, "viewer1").fine_tuning.jobs.create(model="tiny", training_file=train)


@pytest.fixture
def live_worker(
    db_url: str,
    db_engine: object,
    tmp_path: Path,
    tiny_llama_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    """The server with its embedded local worker (real training children)."""
    monkeypatch.setenv("PYTHONPATH", str(SRC))  # the training child imports this checkout
    settings: Settings = platform_settings_for(
        db_url,
        tmp_path / "data",
        stats_tokenizer=str(tiny_llama_dir),
        embedded_worker=True,
        **FAST_JOBS,
    )
    for live in serve(settings):
        create_user_row(live.app, "engineer1", "engineer")
        with live.client("admin") as admin:
            admin.post(
                "/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"}
            ).raise_for_status()
        yield live


def test_the_job_list_holds_fine_tuning_jobs_only(live: LiveServer, tiny_llama_dir: Path) -> None:
    """Exports and evaluations are jobs too, but not fine-tuning jobs: /v1 neither lists nor
    retrieves them."""
    adapter = add_adapter(live, "engineer1", "poet", tiny_llama_dir)  # a finished train job
    client = sdk(live)
    job = client.fine_tuning.jobs.create(model="tiny", training_file=_upload(client))
    with live.client("engineer1") as rest:
        export = rest.post(f"/api/v1/models/{adapter}/exports", json={"format": "merged"})
        assert export.status_code == 201, export.text
        export_id = export.json()["id"]
        assert export.json()["kind"] == "export"
    listed = [j.id for j in client.fine_tuning.jobs.list(limit=10).data]
    assert listed[0] == job.id and f"ftjob-{export_id}" not in listed and len(listed) == 2
    with pytest.raises(openai.NotFoundError) as missing:
        client.fine_tuning.jobs.retrieve(f"ftjob-{export_id}")
    assert missing.value.param == "job_id"


@pytest.mark.slow
def test_upload_fine_tune_poll_and_chat_with_the_result(live_worker: LiveServer) -> None:
    client = sdk(live_worker)
    train = _upload(client)
    hyper = {"n_epochs": 1, "batch_size": 2}
    method = {"type": "supervised", "supervised": {"hyperparameters": hyper}}
    job = client.fine_tuning.jobs.create(
        model="tiny",
        training_file=train,
        suffix="pirate",
        method=method,
    )
    deadline = time.monotonic() + 300
    while job.status not in {"succeeded", "failed", "cancelled"}:
        assert time.monotonic() < deadline, f"job did not finish: {job}"
        time.sleep(0.5)
        job = client.fine_tuning.jobs.retrieve(job.id)
    events = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=100).data]
    assert job.status == "succeeded", json.dumps(events, indent=1)
    assert job.fine_tuned_model == "ft:tiny:pirate:v1" and job.finished_at
    assert job.fine_tuned_model in {m.id for m in client.models.list()}
    answer = client.chat.completions.create(
        model=job.fine_tuned_model,
        messages=[{"role": "user", "content": "question 1"}],
        max_tokens=6,
    )
    assert answer.choices[0].message.content and answer.model == job.fine_tuned_model
    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
    assert all(c.fine_tuning_job_id == job.id for c in checkpoints)


PAIRS = [
    {"input": {"messages": [{"role": "user", "content": f"question {i}"}]},
     "preferred_output": [{"role": "assistant", "content": f"Arr, answer {i}"}],
     "non_preferred_output": [{"role": "assistant", "content": "I will not answer."}]}
    for i in range(12)
]  # fmt: skip
SMALL = {"train.max_steps": 3, "data.max_length": 64, "train.batch_size": 2, "cf.max_items": 4}


def _finish(live: LiveServer, job_id: int) -> dict[str, object]:
    deadline = time.monotonic() + 300
    with live.client("engineer1") as rest:
        while True:
            job: dict[str, object] = rest.get(f"/api/v1/jobs/{job_id}").json()
            if job["status"] in {"succeeded", "failed", "cancelled"}:
                return job
            assert time.monotonic() < deadline, f"job did not finish: {job}"
            time.sleep(0.5)


@pytest.mark.slow
def test_preference_pairs_train_dpo_through_the_worker_by_rest_and_v1(
    live_worker: LiveServer,
) -> None:
    client = sdk(live_worker)
    train = _upload(client, jsonl(PAIRS), "pairs.jsonl")
    with live_worker.client("engineer1") as rest:
        dataset = rest.get(f"/api/v1/datasets/{train.removeprefix('file-')}").json()
        assert dataset["report"]["kind"] == "preference"
        models = rest.get("/api/v1/models").json()["data"]
        body = {"name": "prefer", "base_model_id": models[0]["id"], "dataset_id": dataset["id"],
                "intent": {"level": "preference"}, "overrides": SMALL}  # fmt: skip
        created = rest.post("/api/v1/jobs", json=body)
        assert created.status_code == 201, created.text
    job = _finish(live_worker, created.json()["id"])
    assert job["status"] == "succeeded", job
    with live_worker.client("engineer1") as rest:
        rows = rest.get(f"/api/v1/jobs/{job['id']}/metrics").json()["data"]
    trained = [r for r in rows if r["step"] > 0 and r["loss"] is not None]
    assert trained and {"reward_margin", "reward_accuracy", "logps_chosen", "logps_rejected"} <= (
        trained[-1]["extra"].keys()
    )
    assert any(r["cf_score"] is not None for r in rows)  # the CF monitor applies unchanged

    hyper = {"n_epochs": 1, "batch_size": 2, "beta": 0.2}
    ft = client.fine_tuning.jobs.create(
        model="tiny", training_file=train, suffix="prefer",
        method={"type": "dpo", "dpo": {"hyperparameters": hyper}},
    )  # fmt: skip
    assert ft.method is not None and ft.method.type == "dpo"
    with live_worker.client("engineer1") as rest:
        spec = rest.get(f"/api/v1/jobs/{ft.id.removeprefix('ftjob-')}").json()["spec"]
    assert spec["level"] == "preference" and spec["train"]["method"] == "dpo"
    assert spec["preference"]["beta"] == 0.2 and spec["train"]["epochs"] == 1
    done = _finish(live_worker, int(ft.id.removeprefix("ftjob-")))
    assert done["status"] == "succeeded", done
    ft = client.fine_tuning.jobs.retrieve(ft.id)
    assert ft.fine_tuned_model == "ft:tiny:prefer:v2"  # v1 is the REST job's adapter
    assert ft.method is not None and ft.method.dpo is not None
