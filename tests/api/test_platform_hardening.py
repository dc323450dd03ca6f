"""Findings of the security review (issue 11), each pinned by a test that failed before."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from easytune.api import create_app
from easytune.api.state import app_state
from easytune.db.base import utcnow
from easytune.db.models import AuthSession
from easytune.jobs import service
from easytune.testing.fixtures import (
    TEST_PASSWORD,
    create_user_row,
    login_headers,
    platform_settings_for,
)

LOGIN, ME, TOKENS = "/api/v1/auth/login", "/api/v1/auth/me", "/api/v1/auth/tokens"


def _app(db_url: str, tmp_path: Path, **overrides: object) -> Iterator[FastAPI]:
    app = create_app(platform_settings_for(db_url, tmp_path / "data", **overrides))
    with TestClient(app):
        yield app


@pytest.fixture
def limited_app(db_url: str, db_engine: Engine, tmp_path: Path) -> Iterator[FastAPI]:
    yield from _app(db_url, tmp_path, rate_limit_per_minute=5)


def test_forged_personal_tokens_count_against_the_address(limited_app: FastAPI) -> None:
    client = TestClient(limited_app, client=("198.51.100.7", 40000))
    statuses = [
        client.get(ME, headers={"Authorization": f"Bearer et_pat_forged{i}"}).status_code
        for i in range(8)
    ]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
    other = TestClient(limited_app, client=("198.51.100.8", 40000))
    assert other.get(ME).status_code == 401, "another address has its own bucket"


def test_a_verified_token_gets_its_own_bucket(limited_app: FastAPI) -> None:
    client = TestClient(limited_app, client=("198.51.100.9", 40000))
    secret = client.post(
        TOKENS, json={"name": "ci"}, headers=login_headers(client, "admin")
    ).json()["token"]
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    for i in range(4):  # the address's bucket runs dry...
        client.get(ME, headers={"Authorization": f"Bearer et_pat_x{i}"})
    assert client.get(ME, headers={"Authorization": "Bearer et_pat_y"}).status_code == 429
    # ...while the proven token keeps its own.
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 200


@pytest.fixture
def slow_hash_app(db_url: str, db_engine: Engine, tmp_path: Path) -> Iterator[FastAPI]:
    # A real argon2 cost: each wrong guess takes long enough for all twelve to overlap.
    yield from _app(
        db_url, tmp_path, argon2_time_cost=2, argon2_memory_kib=32768,
        login_account_free_failures=5, login_client_free_failures=100,
    )  # fmt: skip


def test_parallel_wrong_passwords_are_throttled(slow_hash_app: FastAPI) -> None:
    create_user_row(slow_hash_app, "victim", "engineer")
    client = TestClient(slow_hash_app)

    def guess(i: int) -> int:
        body = {"username": "victim", "password": f"wrong guess {i}"}
        return client.post(LOGIN, json=body).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(guess, range(12)))
    assert statuses.count(401) <= 6, f"at most free failures + 1 evaluated: {statuses}"
    assert statuses.count(429) >= 6 and set(statuses) <= {401, 429}, statuses


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_cannot_create_tokens(client_as: Callable[[str], TestClient]) -> None:
    engineer = client_as("engineer")
    secret = engineer.post(TOKENS, json={"name": "short", "expires_in_days": 1}).json()["token"]
    minted = engineer.post(
        TOKENS, json={"name": "long", "expires_in_days": 365}, headers=_bearer(secret)
    )
    assert minted.status_code == 403, minted.text
    assert minted.json()["error"]["code"] == "session_required"
    assert engineer.get(TOKENS).json()["count"] == 1, "nothing was created"


def test_a_password_change_revokes_personal_tokens(
    client: TestClient, client_as: Callable[[str], TestClient]
) -> None:
    engineer = client_as("engineer")
    secret = engineer.post(TOKENS, json={"name": "ci"}).json()["token"]
    changed = engineer.post(
        "/api/v1/auth/password",
        json={"current_password": TEST_PASSWORD, "new_password": "a brand new passphrase 42"},
    )
    assert changed.status_code == 204, changed.text
    assert client.get(ME, headers=_bearer(secret)).status_code == 401


def test_an_admin_reset_revokes_personal_tokens(
    client: TestClient, client_as: Callable[[str], TestClient]
) -> None:
    secret = client_as("viewer").post(TOKENS, json={"name": "ci"}).json()["token"]
    viewer_id = client.get(ME, headers=_bearer(secret)).json()["id"]
    reset = client_as("admin").patch(
        f"/api/v1/users/{viewer_id}", json={"password": "reset by the admin 2026"}
    )
    assert reset.status_code == 200, reset.text
    assert client.get(ME, headers=_bearer(secret)).status_code == 401


def test_a_sign_in_has_an_absolute_lifetime(client: TestClient, app: FastAPI) -> None:
    pair = client.post(LOGIN, json={"username": "admin", "password": TEST_PASSWORD}).json()
    with app_state(app).session_factory.begin() as session:
        session.execute(update(AuthSession).values(created_at=utcnow() - timedelta(days=31)))
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 401, refreshed.text


def test_deleting_a_user_who_owns_data_names_it(
    client: TestClient, app: FastAPI, client_as: Callable[[str], TestClient]
) -> None:
    owner_id = create_user_row(app, "owner", "engineer")
    with app_state(app).session_factory.begin() as session:
        service.enqueue(session, owner_id=owner_id, name="j", spec={}, now=utcnow())
    refused = client_as("admin").delete(f"/api/v1/users/{owner_id}")
    assert refused.status_code == 409, refused.text
    assert "1 jobs" in refused.json()["error"]["message"]
    assert client_as("admin").get(f"/api/v1/users/{owner_id}").status_code == 200, "kept"


def test_data_files_are_private(app: FastAPI, client: TestClient) -> None:
    settings = app_state(app).settings
    if not settings.is_sqlite:
        pytest.skip("file permissions concern the SQLite database")
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700
    database = settings.database_url.removeprefix("sqlite:///")
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600


def test_the_docs_policy_applies_to_the_docs_pages_only(client: TestClient) -> None:
    docs = client.get("/docs").headers["content-security-policy"]
    assert "'unsafe-inline'" in docs.split("script-src")[1].split(";")[0]
    other = client.get("/docsX").headers["content-security-policy"]
    assert "'unsafe-inline'" not in other.split("script-src")[1].split(";")[0]


@pytest.fixture
def metrics_app(db_url: str, db_engine: Engine, tmp_path: Path) -> Iterator[FastAPI]:
    yield from _app(db_url, tmp_path, metrics_token="scrape-token-for-prometheus-only")


def test_metrics_can_require_a_token(metrics_app: FastAPI) -> None:
    client = TestClient(metrics_app)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=_bearer("wrong")).status_code == 401
    ok = client.get("/metrics", headers=_bearer("scrape-token-for-prometheus-only"))
    assert ok.status_code == 200 and "easytune_http_requests" in ok.text


def test_oversized_ids_and_offsets_are_422(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    huge = 2**64
    for url in (f"/api/v1/jobs/{huge}", f"/api/v1/jobs?offset={huge}",
                f"/api/v1/users?offset={huge}", f"/api/v1/users/{huge}"):  # fmt: skip
        assert admin.get(url).status_code == 422, url
    assert admin.post(f"/api/v1/jobs/{huge}/cancel").status_code == 422
    assert admin.post(f"/api/v1/jobs/{huge}/retry").status_code == 422


def test_unreadable_model_paths_are_422(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    for path in ("/tmp/" + "a" * 1000, "/tmp/nul\x00byte"):
        refused = admin.post("/api/v1/models", json={"path": path})
        assert refused.status_code == 422 and refused.json()["error"]["param"] == "path", path
