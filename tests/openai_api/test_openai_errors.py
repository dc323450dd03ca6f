"""Every error under /v1 has OpenAI's shape, whichever layer refused the request; /api/v1 keeps
the platform's own shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from easytune.api import create_app
from easytune.testing.fixtures import TEST_PASSWORD, platform_settings_for

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
KEYS = {"message", "type", "param", "code"}


def _client(db_url: str, tmp_path: Path, **settings: object) -> TestClient:
    return TestClient(create_app(platform_settings_for(db_url, tmp_path / "data", **settings)))


def test_rate_limit_and_body_limit_refusals(db_url: str, db_engine: Engine, tmp_path: Path) -> None:
    with _client(db_url, tmp_path, rate_limit_per_minute=2, max_request_bytes=2048) as client:
        big = client.post("/v1/chat/completions", content=b"x" * 4096,
                          headers={"Content-Type": "application/json"})  # fmt: skip
        assert big.status_code == 413 and set(big.json()["error"]) >= KEYS
        answers = [
            client.get("/v1/models", headers={"Authorization": "Bearer x"}) for _ in range(4)
        ]
        limited = answers[-1]
        assert limited.status_code == 429, [a.status_code for a in answers]
        error = limited.json()["error"]
        assert error["type"] == "rate_limit_error" and error["code"] == "rate_limited"
        assert limited.headers["Retry-After"]


def test_validation_unknown_routes_and_methods(
    db_url: str, db_engine: Engine, tmp_path: Path
) -> None:
    with _client(db_url, tmp_path) as client:
        anonymous = client.post("/v1/chat/completions", json={})
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "invalid_api_key"
        wrong = client.put("/v1/models")
        assert wrong.status_code == 405 and set(wrong.json()["error"]) >= KEYS
        rest = client.put("/api/v1/models")
        assert rest.status_code == 405 and "type" not in rest.json()["error"]
        body = {"username": "admin", "password": TEST_PASSWORD}
        login = client.post("/api/v1/auth/login", json=body)
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        robot = {"model": "x", "messages": [{"role": "robot", "content": "hi"}]}
        bad = client.post("/v1/chat/completions", headers=headers, json=robot)
        assert bad.status_code == 400, bad.text
        assert bad.json()["error"]["param"] == "messages.0.role"
        assert bad.json()["error"]["type"] == "invalid_request_error"
        json_headers = {**headers, "Content-Type": "application/json"}
        broken = client.post("/v1/completions", headers=json_headers, content=b"{not json")
        assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]["message"]
