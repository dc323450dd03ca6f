"""Users API (admin only), password policy on the wire, audit trail."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

USERS = "/api/v1/users"


def test_create_list_get_update_delete(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    created = admin.post(
        USERS, json={"username": "Frank", "password": "a long passphrase for f", "role": "engineer"}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == "frank" and user["role"] == "engineer" and user["is_active"]
    assert "password" not in user and "password_hash" not in user
    listing = admin.get(USERS, params={"limit": 2}).json()
    assert listing["count"] == 4 and len(listing["data"]) == 2
    assert admin.get(f"{USERS}/{user['id']}").json()["username"] == "frank"
    patched = admin.patch(f"{USERS}/{user['id']}", json={"role": "viewer", "is_active": False})
    assert patched.json()["role"] == "viewer" and patched.json()["is_active"] is False
    assert admin.delete(f"{USERS}/{user['id']}").status_code == 204
    missing = admin.get(f"{USERS}/{user['id']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_password_policy_is_enforced(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    cases = {
        "short1": "at least 8 characters",
        "password123": "commonly used",
        "Qwerty123456": "commonly used",
        "gina-is-my-name": "must not contain the username",
    }
    for password, expected in cases.items():
        response = admin.post(USERS, json={"username": "gina", "password": password})
        assert response.status_code == 422, password
        error = response.json()["error"]
        assert error["param"] == "password" and expected in error["message"], password
        assert error["code"] == "weak_password"
    long_phrase = "the quick brown fox jumps over the lazy dog " * 10
    assert admin.post(USERS, json={"username": "gina", "password": long_phrase}).status_code == 201


def test_duplicate_and_bad_usernames(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    taken = admin.post(USERS, json={"username": "ENGINEER1", "password": "some long passphrase"})
    assert taken.status_code == 409 and taken.json()["error"]["param"] == "username"
    bad = admin.post(USERS, json={"username": "has space", "password": "some long passphrase"})
    assert bad.status_code == 422 and "letters, digits" in bad.json()["error"]["message"]


def test_validation_errors_share_the_error_shape(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    response = admin.post(USERS, json={"password": 5, "role": "superuser", "extra": 1})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["param"] == "username"
    params = {problem["param"] for problem in error["errors"]}
    assert params == {"username", "password", "role", "extra"}, "every problem, at once"
    assert "username is required; add it" in error["message"]
    assert "role must be one of" in error["message"]
    assert "extra is not a known field; remove it" in error["message"]
    bad_query = admin.get(USERS, params={"limit": 0})
    assert bad_query.json()["error"]["param"] == "limit"
    assert "limit must be 1 or more" in bad_query.json()["error"]["message"]
    not_json = admin.post(USERS, content=b"{not json", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422 and "not valid JSON" in not_json.json()["error"]["message"]


def test_the_last_admin_cannot_be_removed(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    me = admin.get("/api/v1/auth/me").json()
    for change in ({"role": "viewer"}, {"is_active": False}):
        response = admin.patch(f"{USERS}/{me['id']}", json=change)
        assert (
            response.status_code == 409
            and "last active admin" in response.json()["error"]["message"]
        )
    assert admin.delete(f"{USERS}/{me['id']}").status_code == 400


def test_audit_trail_records_user_changes(client_as: Callable[[str], TestClient]) -> None:
    admin = client_as("admin")
    user = admin.post(
        USERS, json={"username": "hank", "password": "a long passphrase for h"}
    ).json()
    admin.patch(f"{USERS}/{user['id']}", json={"role": "engineer"})
    admin.patch(f"{USERS}/{user['id']}", json={"is_active": False})
    admin.delete(f"{USERS}/{user['id']}")
    page = admin.get("/api/v1/audit", params={"action": "user.", "limit": 50}).json()
    actions = [event["action"] for event in page["data"]]
    assert actions[:4] == ["user.deleted", "user.disabled", "user.role_changed", "user.created"]
    role_change = page["data"][2]
    assert role_change["detail"]["old"] == "viewer" and role_change["detail"]["new"] == "engineer"
    assert role_change["actor_username"] == "admin" and role_change["target_id"] == str(user["id"])
    assert page["data"][0]["detail"]["username"] == "hank", "names survive the deletion"
    logins = admin.get("/api/v1/audit", params={"action": "auth.login.succeeded"}).json()
    assert logins["count"] == 3
    paged = admin.get("/api/v1/audit", params={"limit": 1, "offset": 1}).json()
    assert len(paged["data"]) == 1 and paged["count"] > 1
