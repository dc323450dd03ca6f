"""EASYTUNE_<SECRET>_FILE: secrets read from files, as Docker Compose mounts them."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from easytune.settings import SettingsError, load_settings


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_secrets_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = secrets.token_urlsafe(48)
    url = "postgresql://easytune:pw@db:5432/easytune"
    monkeypatch.setenv("EASYTUNE_SECRET_KEY_FILE", str(_write(tmp_path / "key", key + "\n")))
    monkeypatch.setenv("EASYTUNE_DATABASE_URL_FILE", str(_write(tmp_path / "db", url)))
    monkeypatch.setenv("EASYTUNE_BROKER_URL_FILE", str(_write(tmp_path / "b", "redis://:x@r/0")))
    settings = load_settings(data_dir=tmp_path / "data")
    assert settings.secret() == key  # the trailing newline is not part of the key
    assert settings.database_url == "postgresql+psycopg://easytune:pw@db:5432/easytune"
    assert settings.celery_broker_url == "redis://:x@r/0"
    assert not (tmp_path / "data" / "secret_key").exists()  # no key generated


def test_a_weak_key_in_a_file_is_refused_like_one_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EASYTUNE_SECRET_KEY_FILE", str(_write(tmp_path / "k", "changeme" * 5)))
    with pytest.raises(SettingsError, match="EASYTUNE_SECRET_KEY: looks like a placeholder"):
        load_settings(data_dir=tmp_path)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "EASYTUNE_ADMIN_PASSWORD_FILE: cannot read"),
        ("empty", "EASYTUNE_ADMIN_PASSWORD_FILE: .* is empty"),
        ("both", "EASYTUNE_ADMIN_PASSWORD and EASYTUNE_ADMIN_PASSWORD_FILE are both set"),
    ],
)
def test_unusable_secret_files_name_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: str, message: str
) -> None:
    path = tmp_path / "admin_password"
    if setup != "missing":
        path.write_text("" if setup == "empty" else "Correct-Horse-Battery-9")
    if setup == "both":
        monkeypatch.setenv("EASYTUNE_ADMIN_PASSWORD", "Another-Password-77")
    monkeypatch.setenv("EASYTUNE_ADMIN_PASSWORD_FILE", str(path))
    with pytest.raises(SettingsError, match=message):
        load_settings(data_dir=tmp_path)
