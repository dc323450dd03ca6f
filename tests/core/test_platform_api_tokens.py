"""Personal API tokens: shown once, stored hashed, revocable, expiring, private to the owner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from easytune.api.state import app_state
from easytune.core.tokens import digest
from easytune.db.base import utcnow
from easytune.db.models import ApiToken

TOKENS, ME = "/api/v1/auth/tokens", "/api/v1/auth/me"


def _pat(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_lifecycle(
    client_as: Callable[[str], TestClient], client: TestClient, app: FastAPI
) -> None:
    engineer = client_as("engineer")
    created = engineer.post(TOKENS, json={"name": "ci", "expires_in_days": 30})
    assert created.status_code == 201
    body = created.json()
    secret = body["token"]
    assert secret.startswith("et_pat_") and secret.startswith(body["prefix"])
    assert client.get(ME, headers=_pat(secret)).json()["username"] == "engineer1"
    listed = engineer.get(TOKENS).json()
    assert listed["count"] == 1 and "token" not in listed["data"][0], "the secret is shown once"
    with app_state(app).session_factory() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash == digest(secret) and secret not in (row.token_hash, row.prefix)
    assert engineer.delete(f"{TOKENS}/{body['id']}").status_code == 204
    assert client.get(ME, headers=_pat(secret)).status_code == 401
    assert engineer.get(TOKENS).json()["data"][0]["revoked_at"] is not None


def test_expired_tokens_are_refused(
    client_as: Callable[[str], TestClient], client: TestClient, app: FastAPI
) -> None:
    secret = client_as("viewer").post(TOKENS, json={"name": "old"}).json()["token"]
    with app_state(app).session_factory.begin() as session:
        session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(ME, headers=_pat(secret)).status_code == 401


def test_other_users_tokens_are_invisible(client_as: Callable[[str], TestClient]) -> None:
    token_id = client_as("viewer").post(TOKENS, json={"name": "mine"}).json()["id"]
    response = client_as("engineer").delete(f"{TOKENS}/{token_id}")
    assert response.status_code == 404, "404, not 403: others' tokens do not exist for you"
    assert client_as("engineer").get(TOKENS).json()["count"] == 0


def test_lifetime_is_bounded(client_as: Callable[[str], TestClient]) -> None:
    response = client_as("admin").post(TOKENS, json={"name": "x", "expires_in_days": 5000})
    assert response.status_code == 422 and response.json()["error"]["param"] == "expires_in_days"


def test_disabled_users_tokens_stop_working(
    client_as: Callable[[str], TestClient], client: TestClient
) -> None:
    secret = client_as("engineer").post(TOKENS, json={"name": "ci"}).json()["token"]
    me = client.get(ME, headers=_pat(secret)).json()
    client_as("admin").patch(f"/api/v1/users/{me['id']}", json={"is_active": False})
    assert client.get(ME, headers=_pat(secret)).status_code == 401


def test_logout_with_a_personal_token_explains_itself(
    client_as: Callable[[str], TestClient], client: TestClient
) -> None:
    secret = client_as("engineer").post(TOKENS, json={"name": "ci"}).json()["token"]
    response = client.post("/api/v1/auth/logout", headers=_pat(secret))
    assert (
        response.status_code == 400
        and "DELETE /api/v1/auth/tokens" in response.json()["error"]["message"]
    )
