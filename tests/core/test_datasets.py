"""Datasets over HTTP: upload (valid, invalid, too large), list, show, preview, delete."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from tests.core.conftest import CHAT, jsonl

from easytune.api.state import app_state
from easytune.db import transaction
from easytune.db.models import Dataset
from easytune.i18n import render
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


# What may stay Latin in a Chinese line problem: quoted field names and values, and these.
QUOTED = re.compile(r"'[^']*'")
LATIN_KEPT = {"JSON", "Alpaca", "number"}


def _chinese_problems(errors: list[dict[str, Any]]) -> list[str]:
    """Each line problem's detail rendered in Chinese, checked to match its English message."""
    said = []
    for error in errors:
        assert render(error["detail"], "en") == error["message"]
        zh = render(error["detail"], "zh")
        assert set(re.findall(r"[A-Za-z]{2,}", QUOTED.sub("", zh))) <= LATIN_KEPT, zh
        said.append(zh)
    return said


def test_each_refused_line_is_coded_and_reads_in_chinese(upload: Callable[..., Any]) -> None:
    lines = [
        b'{"instruction": "q"}\n',  # a missing field
        b'{"instruction": 3, "output": "a"}\n',  # a wrong type
        b'{"instruction": "q", "output": "a"\n',  # not JSON
        jsonl([{"instruction": "q", "output": "a"}]),
    ]
    errors = upload(content=b"".join(lines), format="alpaca").json()["error"]["errors"]
    where = [(e["line"], e["field"], e["detail"]["code"]) for e in errors]
    assert where == [
        (n, f, "data.where.line") for n, f in ((1, "output"), (2, "instruction"), (3, ""))
    ]
    assert _chinese_problems(errors) == [
        "第 1 行：缺少 'output' 字段；每条 Alpaca 记录都需要 'instruction' 和 'output'",
        "第 2 行：'instruction' 必须是字符串，实际是 number；每条 Alpaca 记录都需要 "
        "'instruction' 和 'output'",
        "第 3 行：第 35 列的 JSON 无效（缺少 ',' 分隔符）；每行必须是一个完整的 JSON 对象",
    ]
    # The whole file: no "where", the problem and its fix only.
    (empty,) = upload(content=b"  \n").json()["error"]["errors"]
    assert empty["line"] == 0 and empty["detail"]["code"] == "data.with_fix"
    assert _chinese_problems([empty]) == ["文件是空的；请上传至少包含一条记录的文件"]


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


BAD_FILES: dict[str, tuple[str, bytes, dict[str, str]]] = {
    "empty file": ("data.jsonl", b"", {}),
    "not json": ("data.jsonl", b"{not json\n", {}),
    "a json array": ("data.jsonl", b"[1, 2]\n", {}),
    "no messages": ("data.jsonl", b'{"text2": "x"}\n', {"format": "chat"}),
    "messages not a list": ("data.jsonl", b'{"messages": "hi"}\n', {}),
    "unknown role": ("data.jsonl", b'{"messages": [{"role": "god", "content": "x"}]}\n', {}),
    "content not text": (
        "data.jsonl",
        b'{"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": 6}]}\n',
        {},
    ),
    "no assistant turn": ("data.jsonl", b'{"messages": [{"role": "user", "content": "x"}]}\n', {}),
    "binary": ("data.jsonl", bytes(range(256)) * 4, {}),
    "not utf-8": ("data.jsonl", '{"messages": "\u00e9"}\n'.encode("latin-1"), {}),
    "fake parquet": ("data.parquet", b"PAR1 not really parquet PAR1", {}),
    "fake csv": ("data.csv", b"\x00\x01\x02,\x03\n", {}),
    "executable": ("data.exe", b"MZ\x90\x00", {}),
    "unknown format": ("data.jsonl", jsonl(CHAT), {"format": "xml"}),
    "empty name": ("data.jsonl", jsonl(CHAT), {"name": ""}),
    "name too long": ("data.jsonl", jsonl(CHAT), {"name": "n" * 500}),
}


def _bad_bodies(ids: dict[str, str]) -> list[tuple[str, str, Any]]:
    """(method, path, JSON body or raw text) that the API must refuse with a 4xx."""
    job = {"name": "x", "base_model_id": ids["model"], "dataset_id": ids["dataset"],
           "intent": {"level": "L1", "description": "answer like a pirate"}}  # fmt: skip
    return [
        ("POST", "/api/v1/jobs", {}),
        ("POST", "/api/v1/jobs", []),
        ("POST", "/api/v1/jobs", "{not json"),
        ("POST", "/api/v1/jobs", {**job, "base_model_id": 7}),
        ("POST", "/api/v1/jobs", {**job, "intent": {"level": "L9", "description": "x"}}),
        ("POST", "/api/v1/jobs", {**job, "priority": 10**30}),
        ("POST", "/api/v1/jobs", {**job, "dataset_id": "d" * 5000}),
        ("POST", "/api/v1/models", {"path": ""}),
        ("POST", "/api/v1/models", {"path": "p" * 1000}),
        ("POST", "/api/v1/models", {"path": "/etc/passwd\u0000"}),
        ("POST", "/api/v1/evaluations", {"model_ids": "mdl_x"}),
        ("POST", "/api/v1/evaluations", {"model_ids": [ids["model"]], "max_new_tokens": -1}),
        ("POST", "/api/v1/auth/tokens", {"name": ""}),
        ("POST", "/api/v1/auth/tokens", {"name": "t", "expires_in_days": 10**6}),
        ("POST", "/api/v1/playground/generate", {"model_id": ids["model"], "messages": []}),
        ("POST", "/api/v1/models/import", {"name": "x", "base_model_id": ids["model"]}),
    ]


def test_malformed_inputs_are_refused_with_a_4xx_and_nothing_stored(
    upload: Callable[..., Any], app: FastAPI, client_as: Any, registered: dict[str, str]
) -> None:
    """At least 30 malformed inputs (dataset files, JSON bodies; the adapter zips are in
    test_model_import): each answers a 4xx naming the problem, and no row or file is added."""
    from easytune.db.models import ApiToken, Job, ModelRecord, User

    tables = (Dataset, Job, ModelRecord, ApiToken, User)

    def counts() -> list[int]:
        with transaction(app_state(app).session_factory) as session:
            return [session.scalar(select(func.count()).select_from(t)) or 0 for t in tables]

    before, files = counts(), _dataset_files(app)
    refused = 0
    for case, (filename, content, form) in BAD_FILES.items():
        response = upload(content=content, filename=filename, **form)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.text)
        assert response.json()["error"]["message"], case
        refused += 1
    admin, engineer = client_as("admin"), client_as("engineer")
    for method, path, body in _bad_bodies(registered):
        client = admin if path == "/api/v1/models" else engineer
        sent = {"content": body, "headers": {"Content-Type": "application/json"}} if isinstance(
            body, str
        ) else {"json": body}  # fmt: skip
        response = client.request(method, path, **sent)
        assert 400 <= response.status_code < 500 and response.status_code not in (401, 403, 404), (
            path, body, response.status_code, response.text,
        )  # fmt: skip
        assert response.json()["error"]["message"], (path, body)
        refused += 1
    assert refused >= 30
    assert counts() == before and _dataset_files(app) == files
