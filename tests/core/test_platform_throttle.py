"""Login throttling: per account (short, capped waits) and per client address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from easytune.api import create_app
from easytune.api.state import app_state
from easytune.db.base import utcnow
from easytune.db.models import LoginThrottle
from easytune.testing.fixtures import TEST_PASSWORD, create_user_row, platform_settings_for

LOGIN = "/api/v1/auth/login"
WRONG = "definitely wrong pw"


@pytest.fixture
def throttled_app(db_url: str, db_engine: Engine, tmp_path: Path) -> Iterator[FastAPI]:
    settings = platform_settings_for(
        db_url,
        tmp_path,
        login_account_free_failures=3,
        login_account_max_delay_seconds=4,
        login_client_free_failures=6,
        login_client_max_delay_seconds=600,
    )
    app = create_app(settings)
    with TestClient(app):
        yield app


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def _try(client: TestClient, username: str, password: str = WRONG) -> int:
    return client.post(LOGIN, json={"username": username, "password": password}).status_code


def _unblock(app: FastAPI) -> None:
    """Let every wait run out (instead of sleeping)."""
    with app_state(app).session_factory.begin() as session:
        session.execute(update(LoginThrottle).values(blocked_until=utcnow()))


def test_account_waits_grow_but_stay_capped(throttled_app: FastAPI) -> None:
    attacker = _client(throttled_app, "10.0.0.1")
    assert [_try(attacker, "admin") for _ in range(3)] == [401, 401, 401]
    assert _try(attacker, "admin") == 401  # the 4th failure starts the first wait
    blocked = attacker.post(LOGIN, json={"username": "admin", "password": TEST_PASSWORD})
    assert blocked.status_code == 429, "even the right password waits while throttled"
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    assert blocked.headers["Retry-After"] == "1"
    waits = []
    for _ in range(4):
        _unblock(throttled_app)
        assert _try(_client(throttled_app, "10.0.0.2"), "admin") == 401
        waits.append(
            int(
                _client(throttled_app, "10.0.0.3")
                .post(LOGIN, json={"username": "admin", "password": WRONG})
                .headers["Retry-After"]
            )
        )
    assert waits == [2, 4, 4, 4], "doubling, capped at the account maximum"


def test_victim_is_never_locked_out_for_long(throttled_app: FastAPI) -> None:
    attacker = _client(throttled_app, "10.0.0.66")
    for _ in range(20):
        _try(attacker, "admin")
    victim = _client(throttled_app, "192.168.1.5")
    response = victim.post(LOGIN, json={"username": "admin", "password": TEST_PASSWORD})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) <= 4
    _unblock(throttled_app)
    assert _try(victim, "admin", TEST_PASSWORD) == 200


def test_one_address_is_slowed_across_accounts(throttled_app: FastAPI) -> None:
    create_user_row(throttled_app, "erin", "viewer")
    sprayer = _client(throttled_app, "10.9.9.9")
    codes = [_try(sprayer, f"user{i}") for i in range(7)]
    assert codes == [401] * 7
    response = sprayer.post(LOGIN, json={"username": "erin", "password": TEST_PASSWORD})
    assert response.status_code == 429, "the address waits, whichever account it tries"
    assert _try(_client(throttled_app, "10.9.9.10"), "erin", TEST_PASSWORD) == 200


def test_success_clears_the_account_counter(throttled_app: FastAPI) -> None:
    user = _client(throttled_app, "10.1.1.1")
    for _ in range(2):
        _try(user, "admin")
    assert _try(user, "admin", TEST_PASSWORD) == 200
    assert [_try(user, "admin") for _ in range(3)] == [401, 401, 401], "counter started over"
