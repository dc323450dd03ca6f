"""Sign-in, refresh rotation and reuse, sign-out, and attacks on tokens."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from easytune.api.state import app_state
from easytune.db.base import utcnow
from easytune.db.models import AuditEvent
from easytune.testing.fixtures import TEST_PASSWORD, TEST_SECRET_KEY, create_user_row

LOGIN, REFRESH, ME = "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/me"


def _login(client: TestClient, username: str = "admin", password: str = TEST_PASSWORD) -> dict:
    response = client.post(LOGIN, json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _actions(app: FastAPI) -> list[str]:
    with app_state(app).session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_returns_a_token_pair_and_me_works(client: TestClient, app: FastAPI) -> None:
    pair = _login(client, " Admin ")
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 15 * 60
    me = client.get(ME, headers=_bearer(pair["access_token"])).json()
    assert me["username"] == "admin" and me["role"] == "admin"
    assert "users:manage" in me["permissions"]
    assert "auth.login.succeeded" in _actions(app)


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, app: FastAPI) -> None:
    bad = client.post(LOGIN, json={"username": "admin", "password": "wrong password!"})
    unknown = client.post(LOGIN, json={"username": "nobody", "password": "wrong password!"})
    assert bad.status_code == unknown.status_code == 401
    assert bad.json() == unknown.json()
    assert bad.json()["error"]["code"] == "invalid_credentials"
    assert _actions(app).count("auth.login.failed") == 2, "failures are audited despite the 401"


def test_refresh_rotates_and_old_access_keeps_working(client: TestClient) -> None:
    first = _login(client)
    second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]}).json()
    assert second["refresh_token"] != first["refresh_token"]
    third = client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
    assert third.status_code == 200
    assert client.get(ME, headers=_bearer(third.json()["access_token"])).status_code == 200


def test_reusing_a_spent_refresh_token_revokes_the_family(client: TestClient, app: FastAPI) -> None:
    first = _login(client)
    other_login = _login(client)
    second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]}).json()
    reuse = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401 and reuse.json()["error"]["code"] == "token_reused"
    # Everything descended from that sign-in is dead, access tokens included...
    assert client.post(REFRESH, json={"refresh_token": second["refresh_token"]}).status_code == 401
    assert client.get(ME, headers=_bearer(second["access_token"])).status_code == 401
    # ...while another sign-in of the same user is untouched.
    assert client.get(ME, headers=_bearer(other_login["access_token"])).status_code == 200
    assert "auth.refresh_token.reused" in _actions(app)


def test_logout_ends_the_session(client: TestClient) -> None:
    pair = _login(client)
    assert (
        client.post("/api/v1/auth/logout", headers=_bearer(pair["access_token"])).status_code == 204
    )
    assert client.get(ME, headers=_bearer(pair["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}).status_code == 401


def _forge(claims: dict, key: str = TEST_SECRET_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_token_attacks_are_refused(client: TestClient) -> None:
    pair = _login(client)
    claims = _claims_of(pair["access_token"])
    header, payload, signature = pair["access_token"].split(".")
    attacks = {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "wrong algorithm": _forge(claims, algorithm="HS512"),
        "wrong key": _forge(claims, key="another-key-" + "x1y2z3" * 6),
        "expired": _forge({**claims, "exp": utcnow() - timedelta(seconds=5)}),
        "refresh as access": pair["refresh_token"],
        "tampered payload": f"{header}.{_b64({**claims, 'sub': '999'})}.{signature}",
        "tampered signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "missing session claim": _forge({k: v for k, v in claims.items() if k != "sid"}),
        "garbage": "not-a-token",
    }
    for name, token in attacks.items():
        response = client.get(ME, headers=_bearer(token))
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] == "unauthorized", name
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_access_token_cannot_refresh(client: TestClient) -> None:
    pair = _login(client)
    response = client.post(REFRESH, json={"refresh_token": pair["access_token"]})
    assert response.status_code == 401


def test_disabling_a_user_kills_their_unexpired_tokens(client: TestClient, app: FastAPI) -> None:
    user_id = create_user_row(app, "bob", "engineer")
    pair = _login(client, "bob")
    admin = _bearer(_login(client)["access_token"])
    assert (
        client.patch(
            f"/api/v1/users/{user_id}", json={"is_active": False}, headers=admin
        ).status_code
        == 200
    )
    assert client.get(ME, headers=_bearer(pair["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}).status_code == 401
    refused = client.post(LOGIN, json={"username": "bob", "password": TEST_PASSWORD})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_credentials"
    wrong = client.post(LOGIN, json={"username": "bob", "password": "not bob's password"})
    assert wrong.json() == refused.json()  # a disabled account's password is no oracle
    assert (
        client.patch(
            f"/api/v1/users/{user_id}", json={"is_active": True}, headers=admin
        ).status_code
        == 200
    )
    assert client.get(ME, headers=_bearer(pair["access_token"])).status_code == 401, "stays dead"
    _login(client, "bob")


def test_changing_a_password_ends_every_session(client: TestClient, app: FastAPI) -> None:
    user_id = create_user_row(app, "carol", "viewer")
    old = _login(client, "carol")
    admin = _bearer(_login(client)["access_token"])
    new_password = "a brand new passphrase"
    changed = client.patch(
        f"/api/v1/users/{user_id}", json={"password": new_password}, headers=admin
    )
    assert changed.status_code == 200
    assert client.get(ME, headers=_bearer(old["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": old["refresh_token"]}).status_code == 401
    mine = _login(client, "carol", new_password)
    body = {"current_password": new_password, "new_password": "yet another long passphrase"}
    own = client.post("/api/v1/auth/password", json=body, headers=_bearer(mine["access_token"]))
    assert own.status_code == 204
    assert client.get(ME, headers=_bearer(mine["access_token"])).status_code == 401
    _login(client, "carol", "yet another long passphrase")


def test_own_password_change_needs_the_current_one(client: TestClient) -> None:
    headers = _bearer(_login(client)["access_token"])
    body = {"current_password": "not it at all", "new_password": "yet another long passphrase"}
    response = client.post("/api/v1/auth/password", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "current_password"


def test_role_change_takes_effect_on_the_next_request(client: TestClient, app: FastAPI) -> None:
    user_id = create_user_row(app, "dave", "viewer")
    dave = _bearer(_login(client, "dave")["access_token"])
    admin = _bearer(_login(client)["access_token"])
    assert client.get("/api/v1/audit", headers=dave).status_code == 403
    client.patch(f"/api/v1/users/{user_id}", json={"role": "admin"}, headers=admin)
    assert client.get("/api/v1/audit", headers=dave).status_code == 200
    client.patch(f"/api/v1/users/{user_id}", json={"role": "viewer"}, headers=admin)
    assert client.get("/api/v1/audit", headers=dave).status_code == 403
    assert _actions(app).count("user.role_changed") == 2
