"""Password hashing (argon2id) and policy; first-start bootstrap of the admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from easytune.api import create_app
from easytune.core.errors import ValidationFailed
from easytune.core.passwords import (
    check_password_policy,
    common_passwords,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from easytune.settings import Settings, SettingsError
from easytune.testing.fixtures import platform_settings_for


def test_hashes_are_argon2id_salted_and_verifiable() -> None:
    settings = Settings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)
    first, second = hash_password(settings, "a passphrase"), hash_password(settings, "a passphrase")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(settings, first, "a passphrase")
    assert not verify_password(settings, first, "a passphrasE")
    assert not verify_password(settings, "not-a-hash", "a passphrase")


def test_production_defaults_are_strong_and_old_hashes_get_upgraded() -> None:
    strong = Settings()
    assert (strong.argon2_time_cost, strong.argon2_memory_kib) == (3, 65536)
    cheap = Settings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)
    assert needs_rehash(strong, hash_password(cheap, "a passphrase"))


def test_shipped_common_password_list() -> None:
    words = common_passwords()
    assert len(words) > 3000
    assert {"password", "12345678", "qwerty123", "iloveyou", "woaini1314"} <= words


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("1234567", "at least 8"),
        ("PASSWORD1", "commonly used"),
        ("x" * 1025, "at most 1024"),
        ("my name is kate!", "username"),
    ],
)
def test_policy_refusals_say_why(password: str, fragment: str) -> None:
    problem = password_problem(password, "kate")
    assert problem is not None and fragment in problem
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password, "kate")
    assert caught.value.param == "password" and caught.value.status_code == 422


@pytest.mark.parametrize(
    "password", ["8 chars!", "correct horse battery staple", "长城很长很长的密码短语", "x" * 1024]
)
def test_policy_accepts_reasonable_passwords(password: str) -> None:
    assert password_problem(password, "kate") is None


def _app(db_url: str, data_dir: Path, **overrides: object) -> FastAPI:
    return create_app(platform_settings_for(db_url, data_dir, **overrides))


def test_first_start_prints_a_random_admin_password_once(
    db_url: str, db_engine: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(_app(db_url, tmp_path, admin_password=None)) as client:
        printed = capsys.readouterr().err
        password = printed.split("password: ")[1].split()[0]
        assert "Settings > Password" in printed
        login = {"username": "admin", "password": password}
        assert client.post("/api/v1/auth/login", json=login).status_code == 200
    with TestClient(_app(db_url, tmp_path, admin_password=None)):
        assert "created the admin account" not in capsys.readouterr().err


def test_admin_password_from_settings_is_used_silently(
    db_url: str, db_engine: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(_app(db_url, tmp_path, admin_password="the chosen first phrase")) as client:
        login = {"username": "admin", "password": "the chosen first phrase"}
        assert client.post("/api/v1/auth/login", json=login).status_code == 200
    assert "the chosen first phrase" not in capsys.readouterr().err


def test_a_weak_admin_password_stops_start_up(
    db_url: str, db_engine: object, tmp_path: Path
) -> None:
    app = _app(db_url, tmp_path, admin_password="password123")
    expected = "EASYTUNE_ADMIN_PASSWORD: password is on the list"
    with pytest.raises(SettingsError, match=expected), TestClient(app):
        pass
