"""Uploads: credentials and permission are checked before the body is read, and a per-user
storage quota is enforced (507), leaving nothing stored."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from easytune.settings import Settings
from easytune.testing.fixtures import platform_settings_for
from easytune.testing.live import LiveServer, live_server

DATASETS = "/api/v1/datasets"
BOUNDARY = "easytuneboundary"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("uploads") / "data") as live:
        yield live


def _answer_before_body(server: LiveServer, headers: dict[str, str]) -> str:
    """Send an upload's headers and 1 KiB of a declared 50 MB body, then stop: the status
    line the server answers with while the rest of the body was never sent."""
    url = urlsplit(server.base_url)
    lines = [
        f"POST {DATASETS} HTTP/1.1", f"Host: {url.netloc}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        "Content-Length: 50000000", *(f"{k}: {v}" for k, v in headers.items()), "", "",
    ]  # fmt: skip
    part = 'Content-Disposition: form-data; name="file"; filename="d.jsonl"'
    head = f"--{BOUNDARY}\r\n{part}\r\n\r\n"
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode() + head.encode() + b"x" * 1024)
        return sock.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


@pytest.mark.slow
def test_anonymous_and_unauthorised_uploads_are_refused_before_the_body(
    server: LiveServer,
) -> None:
    assert " 401 " in _answer_before_body(server, {})
    assert " 401 " in _answer_before_body(server, {"Authorization": "Bearer et_pat_forged"})
    # A viewer may not upload: refused before the body too.
    admin = server.login()
    created = httpx.post(
        f"{server.base_url}/api/v1/users",
        json={"username": "watcher", "password": "a viewer passphrase 1", "role": "viewer"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    viewer = server.login("watcher", "a viewer passphrase 1")
    assert " 403 " in _answer_before_body(server, viewer)
    folder = server.data_dir / "datasets"
    assert not folder.exists() or not any(folder.iterdir()), "nothing was stored"


@pytest.fixture
def platform_settings(db_url: str, db_engine: Engine, tmp_path: Path) -> Settings:
    return platform_settings_for(db_url, tmp_path / "data", dataset_quota_bytes=4000)


def _jsonl(n: int) -> bytes:
    turn = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    rows = [{"messages": turn, "id": i} for i in range(n)]
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def test_the_storage_quota_is_enforced(
    client_as: Callable[[str], TestClient], app: FastAPI, tmp_path: Path
) -> None:
    engineer = client_as("engineer")
    first = engineer.post(DATASETS, files={"file": ("a.jsonl", _jsonl(20))}, data={"name": "a"})
    assert first.status_code == 201, first.text
    used = first.json()["size_bytes"]
    over = engineer.post(DATASETS, files={"file": ("b.jsonl", _jsonl(40))}, data={"name": "b"})
    assert over.status_code == 507, over.text
    assert "quota" in over.json()["error"]["message"] and over.json()["error"]["param"] == "file"
    listed = engineer.get(DATASETS).json()
    assert listed["count"] == 1 and listed["data"][0]["size_bytes"] == used
    stored = [p for p in (tmp_path / "data" / "datasets").iterdir()]
    assert len(stored) == 1, f"nothing of the refused upload is left: {stored}"
    # Another user has their own quota.
    other = client_as("admin").post(
        DATASETS, files={"file": ("c.jsonl", _jsonl(20))}, data={"name": "c"}
    )
    assert other.status_code == 201, other.text


def test_form_fields_are_validated(client_as: Callable[[str], TestClient]) -> None:
    engineer = client_as("engineer")
    no_name = engineer.post(DATASETS, files={"file": ("a.jsonl", _jsonl(3))})
    assert no_name.status_code == 422 and no_name.json()["error"]["param"] == "name"
    no_file = engineer.post(DATASETS, data={"name": "x"}, files={"other": ("a", b"1")})
    assert no_file.status_code == 422 and no_file.json()["error"]["param"] == "file"
    bad_visibility = engineer.post(
        DATASETS, files={"file": ("a.jsonl", _jsonl(3))}, data={"name": "x", "visibility": "all"}
    )
    assert bad_visibility.status_code == 422, bad_visibility.text
