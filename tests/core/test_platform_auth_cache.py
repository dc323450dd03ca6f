"""The access-token cache: it saves the queries, and every change takes effect at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, update

from easytune.api import create_app
from easytune.api.state import app_state
from easytune.core.auth_cache import AuthCache
from easytune.db.models import User
from easytune.settings import Settings
from easytune.testing.fixtures import create_user_row, login_headers

ME, AUDIT = "/api/v1/auth/me", "/api/v1/audit"


@contextmanager
def auth_queries(engine: Engine) -> Iterator[list[str]]:
    """The SELECTs on users and auth_sessions that `engine` runs inside the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        head = statement.lstrip().upper()
        if head.startswith("SELECT") and ("FROM USERS" in head or "FROM AUTH_SESSIONS" in head):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_known_token_is_answered_without_auth_queries(client: TestClient, app: FastAPI) -> None:
    headers = login_headers(client, "admin")
    with auth_queries(app_state(app).engine) as first:
        assert client.get(ME, headers=headers).status_code == 200
    with auth_queries(app_state(app).engine) as second:
        for _ in range(3):
            assert client.get(ME, headers=headers).json()["username"] == "admin"
    assert len(first) == 2, first  # the user and the login session
    assert second == []


def test_role_change_applies_to_the_next_request(client: TestClient, app: FastAPI) -> None:
    user_id = create_user_row(app, "erin", "admin")
    erin, admin = login_headers(client, "erin"), login_headers(client, "admin")
    for _ in range(2):  # the second answer comes from the cache
        assert client.get(AUDIT, headers=erin).status_code == 200
    demoted = client.patch(f"/api/v1/users/{user_id}", json={"role": "viewer"}, headers=admin)
    assert demoted.status_code == 200
    assert client.get(AUDIT, headers=erin).status_code == 403
    assert client.get(ME, headers=erin).json()["role"] == "viewer"


def test_deactivation_and_sign_out_apply_to_the_next_request(
    client: TestClient, app: FastAPI
) -> None:
    user_id = create_user_row(app, "frank", "engineer")
    frank, admin = login_headers(client, "frank"), login_headers(client, "admin")
    other_session = login_headers(client, "frank")
    for headers in (frank, frank, other_session, other_session):
        assert client.get(ME, headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=frank).status_code == 204
    assert client.get(ME, headers=frank).status_code == 401
    assert client.get(ME, headers=other_session).status_code == 200, "only that sign-in ended"
    client.patch(f"/api/v1/users/{user_id}", json={"is_active": False}, headers=admin)
    assert client.get(ME, headers=other_session).status_code == 401


def test_a_write_outside_the_orm_in_this_process_applies_too(
    client: TestClient, app: FastAPI
) -> None:
    user_id = create_user_row(app, "gina", "admin")
    gina = login_headers(client, "gina")
    for _ in range(2):
        assert client.get(AUDIT, headers=gina).status_code == 200
    with app_state(app).engine.begin() as conn:  # Core, as a CLI command in this process might
        conn.execute(update(User).where(User.id == user_id).values(role="viewer"))
    assert client.get(AUDIT, headers=gina).status_code == 403


def test_an_answer_read_while_a_change_committed_is_not_kept(app: FastAPI) -> None:
    cache = AuthCache(ttl_seconds=60)
    with app_state(app).session_factory() as session:
        generation = cache.generation()
        user = User(id=1, username="x", password_hash="-", role="admin", token_version=0)
        user.is_active = True
        # A change lands between this reader's read and its put.
        session.execute(update(User).where(User.id == -1).values(role="viewer"))
        session.commit()
        cache.put((1, "s", 0), user, generation)
    assert cache.get((1, "s", 0)) is None


def test_the_cache_can_be_turned_off(platform_settings: Settings, tmp_path: Path) -> None:
    settings = platform_settings.model_copy(update={"auth_cache_seconds": 0})
    app = create_app(settings)
    with TestClient(app) as client:
        headers = login_headers(client, "admin")
        assert client.get(ME, headers=headers).status_code == 200
        with auth_queries(app_state(app).engine) as seen:
            assert client.get(ME, headers=headers).status_code == 200
    assert len(seen) == 2
