"""Datasets over HTTP: upload (valid, invalid, too large), list, show, preview, delete."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from tests.core.conftest import CHAT, jsonl

from easytune.api.state import app_state
from easytune.db import transaction
from easytune.db.models import Dataset
from easytune.jobs import service as jobs


def _dataset_files(app: FastAPI) -> list[Path]:
    root = app_state(app).settings.data_dir / "datasets"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows(app: FastAPI) -> int:
    with transaction(app_state(app).session_factory) as session:
        return session.scalar(select(func.count()).select_from(Dataset)) or 0


def test_upload_stores_validates_and_measures(upload: Callable[..., Any], app: FastAPI) -> None:
    content = jsonl(CHAT)
    response = upload(content=content, visibility="shared")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("ds_") and body["format"] == "openai"
    assert body["examples"] == 6 and body["visibility"] == "shared"
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size_bytes"] == len(content)
    stats = body["report"]["stats"]
    assert stats["examples"] == 6 and stats["total_tokens"] > 0 and stats["is_chat"]
    assert body["report"]["tokenizer"].endswith("tiny-llama0")
    files = _dataset_files(app)
    # The file as sent, and the normalised examples previews read (never a re-parse).
    assert sorted(f.name for f in files) == ["data.jsonl", "examples.jsonl"]
    files = [f for f in files if f.name == "data.jsonl"]
    assert files[0].read_bytes() == content
    assert files[0].parent.name == body["id"]  # the path comes from the id, not the upload name
    assert "path" not in body


def test_invalid_file_lists_every_bad_line_and_stores_nothing(
    upload: Callable[..., Any], app: FastAPI
) -> None:
    lines = [jsonl(CHAT[:1]), b"{not json\n", jsonl(CHAT[1:2]), b'{"messages": []}\n']
    response = upload(content=b"".join(lines))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [e["line"] for e in error["errors"]] == [2, 4]
    assert all(e["message"].startswith(f"line {e['line']}:") for e in error["errors"])
    assert {"line", "field", "message", "unit"} <= set(error["errors"][0])
    assert _rows(app) == 0 and _dataset_files(app) == []
    leftovers = list((app_state(app).settings.data_dir / "datasets").iterdir())
    assert leftovers == []  # no staging folder either


def test_refusals_name_the_field(upload: Callable[..., Any], app: FastAPI) -> None:
    wrong_type = upload(filename="data.exe")
    assert wrong_type.status_code == 422 and wrong_type.json()["error"]["param"] == "file"
    bad_format = upload(format="nonsense")
    assert bad_format.status_code == 422 and bad_format.json()["error"]["param"] == "format"
    too_big = upload(content=jsonl(CHAT * 200))  # over the 64 KiB limit of these tests
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "request_too_large"
    viewer = upload(role="viewer")
    assert viewer.status_code == 403
    assert _rows(app) == 0 and _dataset_files(app) == []


def test_list_filters_and_pages(upload: Callable[..., Any], client_as: Any) -> None:
    for name in ("alpha", "beta", "alphabet"):
        assert upload(name=name).status_code == 201
    engineer = client_as("engineer")
    page = engineer.get("/api/v1/datasets", params={"limit": 2}).json()
    assert page["count"] == 3 and len(page["data"]) == 2
    assert page["data"][0]["name"] == "alphabet"  # newest first
    named = engineer.get("/api/v1/datasets", params={"name": "ALPHA"}).json()
    assert sorted(d["name"] for d in named["data"]) == ["alpha", "alphabet"]
    assert engineer.get("/api/v1/datasets", params={"format": "alpaca"}).json()["count"] == 0
    assert engineer.get("/api/v1/datasets", params={"offset": 2}).json()["data"][0]["name"] == (
        "alpha"
    )


def test_preview_pages_normalised_examples(upload: Callable[..., Any], client_as: Any) -> None:
    alpaca = jsonl([{"instruction": f"do {i}", "output": f"done {i}"} for i in range(5)])
    dataset = upload(content=alpaca).json()
    assert dataset["format"] == "alpaca"
    response = client_as("engineer").get(
        f"/api/v1/datasets/{dataset['id']}/preview", params={"offset": 3, "limit": 5}
    )
    body = response.json()
    assert body["count"] == 5 and body["offset"] == 3 and len(body["data"]) == 2
    first = body["data"][0]
    assert first["line"] == 4 and first["text"] is None
    assert first["messages"][-1] == {"role": "assistant", "content": "done 3"}


def test_delete_removes_row_and_file_but_not_under_a_queued_job(
    upload: Callable[..., Any], client_as: Any, app: FastAPI
) -> None:
    dataset = upload().json()
    engineer = client_as("engineer")
    with transaction(app_state(app).session_factory) as session:
        owner_id = dataset["owner_id"]
        job = jobs.submit_job(
            session, owner_id=owner_id, name="j", spec={}, dataset_id=dataset["id"]
        )
        job_id = job.id
    busy = engineer.delete(f"/api/v1/datasets/{dataset['id']}")
    assert busy.status_code == 409 and str(job_id) in busy.json()["error"]["message"]
    with transaction(app_state(app).session_factory) as session:
        jobs.cancel_job(session, job_id)
    assert engineer.delete(f"/api/v1/datasets/{dataset['id']}").status_code == 204
    assert engineer.get(f"/api/v1/datasets/{dataset['id']}").status_code == 404
    assert _rows(app) == 0 and _dataset_files(app) == []


def test_demo_dataset_validates(upload: Callable[..., Any]) -> None:
    from easytune.demo import demo_dataset_path

    response = upload(content=demo_dataset_path().read_bytes())
    assert response.status_code == 201
    assert response.json()["examples"] == 179


def test_byte_level_fallback_counts_bytes() -> None:
    from easytune.core.stats_tokenizer import byte_level_tokenizer

    tokenizer = byte_level_tokenizer()
    assert len(tokenizer("héllo")["input_ids"]) == len("héllo".encode())
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.chat_template


def test_a_tiny_upload_warns_and_says_what_the_plan_does(upload: Any) -> None:
    records = [
        {"messages": [{"role": "user", "content": f"question number {i}?"},
                      {"role": "assistant", "content": "Arr, aye."}]}
        for i in range(10)
    ]  # fmt: skip
    response = upload(content=jsonl(records), name="tiny")
    assert response.status_code == 201, response.text
    (warning,) = response.json()["report"]["warnings"]
    assert warning["code"] == "little_data" and warning["params"]["examples"] == 10
    assert warning["params"]["answer_tokens"] > 0 and warning["params"]["min"] == 50
    assert "more epochs" in warning["message"] and "50 or more examples" in warning["message"]


def test_a_big_enough_upload_has_no_data_warning(upload: Any) -> None:
    records = [
        {"messages": [{"role": "user", "content": f"question number {i}?"},
                      {"role": "assistant", "content": f"a full answer to question {i}, "
                                                        "with a few words of reasoning in it"}]}
        for i in range(60)
    ]  # fmt: skip
    response = upload(content=jsonl(records), name="enough")
    assert response.status_code == 201, response.text
    assert response.json()["report"]["warnings"] == []
